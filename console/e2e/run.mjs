// End-to-end test of the web console in real Chromium (Debian's /usr/bin/chromium, never a
// downloaded browser) against `anjian serve --demo`: the office's daily work, each role's
// scope, accessibility (axe-core) on every page, and screenshots for the docs.
//
//   node e2e/run.mjs http://127.0.0.1:PORT [--screenshots ../docs/console]
import { chromium } from 'playwright-core'
import AxeBuilder from '@axe-core/playwright'
import ExcelJS from 'exceljs'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createHash, randomUUID } from 'node:crypto'
import assert from 'node:assert/strict'
import { handOverAComplaint } from './complaints.mjs'

const base = process.argv[2]
if (!base) throw new Error('usage: node e2e/run.mjs BASE_URL [--screenshots DIR]')
const shotsAt = process.argv.indexOf('--screenshots')
const shotDir = shotsAt > 0 ? process.argv[shotsAt + 1] : null
const PASSWORD = 'anjian-demo'
const started = Date.now()

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})

// ---- API helpers (what the console shows is compared with what the server says) ----
async function apiLogin(user) {
  const r = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: PASSWORD }) })
  assert.equal(r.status, 200, `login ${user}`)
  return (await r.json()).token
}
async function api(token, path) {
  const r = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(r.status, 200, `GET ${path}: ${r.status}`)
  return r.json()
}

const problems = []
function watch(page, who) {
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`${who} console: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`${who} page error: ${e.message}`))
  // No request may leave the machine (no tile server, no CDN).
  page.on('request', (req) => {
    const u = new URL(req.url())
    if (!['blob:', 'data:'].includes(u.protocol) && u.origin !== base) problems.push(`${who} request to ${req.url()}`)
  })
}

async function signIn(user, viewport = { width: 1366, height: 768 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true })
  const page = await context.newPage()
  watch(page, user)
  await page.goto(`${base}/`)
  await page.fill('#username', user)
  await page.fill('#password', PASSWORD)
  await page.click('button[type=submit]')
  await page.waitForURL(`${base}/`)
  await page.getByRole('button', { name: '退出登录' }).waitFor()
  return { context, page }
}

async function pickOption(page, selectLocator, text) {
  await selectLocator.click()
  const input = selectLocator.locator('input')
  if (await input.count()) await input.first().fill(text).catch(() => {})
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

// Element Plus puts extra attributes on the inner input of its fields, or on the wrapper.
const field = (p, name) => p.locator(`input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`)

async function step(name, f) {
  const t = Date.now()
  await f()
  console.log(`ok  ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`)
}

const adminToken = await apiLogin('admin')
const { context: adminCtx, page } = await signIn('admin')

await step('overview shows the county, charts and a map without any tile server', async () => {
  const ov = await api(adminToken, '/v1/console/overview')
  await page.locator('.card .num').first().waitFor()
  assert.equal(await page.locator('.card .num').first().innerText(), String(ov.open))
  await page.locator('canvas').first().waitFor()
  // Township names drawn on the map from their sites' positions, no background tiles.
  await page.locator('.township-label').first().waitFor()
  assert.equal(await page.locator('.township-label').count(), ov.map_townships.length)
  assert.equal(await page.locator('.leaflet-tile').count(), 0)
  assert.ok((await page.locator('path.leaflet-interactive').count()) >= ov.map_sites.length)
})

await step('ledger filter matches the API count', async () => {
  await page.goto(`${base}/hazards?level=major&status=open`)
  const expected = (await api(adminToken, '/v1/console/ledger?level=major&status=open')).total
  await page.locator('[data-test=total]', { hasText: `共 ${expected} 条` }).waitFor()
  assert.equal(await page.locator('.el-table__body-wrapper tbody tr').count(), expected)
  // A keyword typed into the form and searched.
  await page.goto(`${base}/hazards`)
  await page.getByLabel('关键词').fill('燃气')
  await page.click('[data-test=search]')
  const byWord = (await api(adminToken, `/v1/console/ledger?q=${encodeURIComponent('燃气')}`)).total
  await page.locator('[data-test=total]', { hasText: `共 ${byWord} 条` }).waitFor()
  assert.match(page.url(), /q=/)
  // The other filters, all at once, through the address.
  const q = 'status=closed&kind=routine_check&sort=raised_at&desc=true'
  await page.goto(`${base}/hazards?${q}`)
  const r = await api(adminToken, `/v1/console/ledger?${q}`)
  await page.locator('[data-test=total]', { hasText: `共 ${r.total} 条` }).waitFor()
  if (r.items.length) await page.locator('.el-table__body-wrapper tbody tr').first().getByText(r.items[0].number).waitFor()
})

await step('the filtered ledger downloads and reads back', async () => {
  await page.goto(`${base}/hazards?level=major`)
  const expected = (await api(adminToken, '/v1/console/ledger?level=major')).total
  await page.locator('[data-test=total]', { hasText: `共 ${expected} 条` }).waitFor()
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出问题清单' }).click()])
  const path = await dl.path()
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(readFileSync(path))
  const ws = wb.worksheets[0]
  const numbers = []
  ws.eachRow((row) => row.eachCell((c) => { if (typeof c.value === 'string' && /^YH-\d{8}-/.test(c.value)) numbers.push(c.value) }))
  assert.equal(numbers.length, expected, 'one line per hazard of the filter')
  const api2 = (await api(adminToken, '/v1/console/ledger?level=major&size=500')).items.map((x) => x.number).sort()
  assert.deepEqual([...numbers].sort(), api2)
})

await step('a hazard opens with its timeline and its photos load', async () => {
  const ledger = (await api(adminToken, '/v1/console/ledger?size=500')).items
  let target = null
  for (const h of ledger) {
    const ev = await api(adminToken, `/v1/console/hazards/${h.id}/evidence`)
    const photos = ev.filter((e) => e.kind === 'photo')
    if (photos.some((e) => e.stage === 'after') && photos.some((e) => e.stage !== 'after')) { target = { h, photos }; break }
  }
  assert.ok(target, 'a demo hazard with before and after photos')
  await page.goto(`${base}/hazards/${target.h.id}`)
  await page.locator('.el-timeline-item').first().waitFor()
  await page.waitForFunction((n) => [...document.querySelectorAll('.photo img')].filter((i) => i.complete && i.naturalWidth > 0).length >= n, target.photos.length, { timeout: 15000 })
  assert.equal(await page.locator('[data-stage=after] .photo img').count(), target.photos.filter((e) => e.stage === 'after').length)
  // The original on demand.
  const first = page.locator('.photo').first()
  await first.getByRole('button', { name: '看原图' }).click()
  await first.locator('img[src^="blob:"]').waitFor()
  await first.getByRole('button', { name: '看原图' }).waitFor({ state: 'detached' }).catch(async () => {
    // The original may not be on the server (phones send originals only on unmetered networks).
    await first.locator('[role=alert]').waitFor()
  })
})

const before = (await api(adminToken, '/v1/console/ledger?size=500')).items
const assigned = before.filter((h) => h.status === 'assigned')
// Findings referred (移交) to a department are verified by that department, not the office.
const submitted = before.filter((h) => h.status === 'submitted' && !h.referral)
assert.ok(assigned.length >= 2 && submitted.length >= 2, 'demo has assigned and submitted hazards')

// The refused 交办 needs a hazard not already with 忠州街道 (the ledger's order among equal rows
// varies from one seeding to the next).
const refusedTarget = assigned.slice(1).find((h) => h.rectifying_unit_id !== '500233001') ?? assigned[1]
await step('交办 with a past deadline is refused with the server\'s reason', async () => {
  await page.goto(`${base}/hazards/${refusedTarget.id}`)
  await page.click('[data-test=assign]')
  await pickOption(page, page.locator('[data-test=assign-unit]'), '忠州街道')
  await field(page, 'assign-deadline').fill('2020-01-01')
  await field(page, 'assign-deadline').press('Enter')
  await page.click('[data-test=assign-ok]')
  const alert = page.locator('[data-test=refusal]')
  await alert.waitFor()
  assert.match(await alert.innerText(), /操作未成功：.*[\u4e00-\u9fff]/)
  const h = await api(adminToken, `/v1/hazards/${refusedTarget.id}`)
  assert.equal(h.hazard.assigned_unit_id === '500233001', false)
})

const deadline = (() => { const d = new Date(Date.now() + 30 * 86400_000); return d.toISOString().slice(0, 10) })()
await step('交办 with a deadline reaches the unit head', async () => {
  await page.goto(`${base}/hazards/${assigned[0].id}`)
  await page.click('[data-test=assign]')
  await pickOption(page, page.locator('[data-test=assign-unit]'), '忠州街道')
  await field(page, 'assign-deadline').fill(deadline)
  await field(page, 'assign-deadline').press('Enter')
  await page.click('[data-test=assign-ok]')
  await page.locator('[data-test=done]').waitFor()
  await page.locator('[data-test=rect-unit]', { hasText: '忠州街道' }).waitFor()
  const h = await api(adminToken, `/v1/hazards/${assigned[0].id}`)
  assert.equal(h.hazard.assigned_unit_id, '500233001')
  assert.equal(h.hazard.assigned_deadline, deadline)
  // The head of 忠州街道 sees it in the unit's ledger, with the deadline.
  const { context, page: head } = await signIn('zz_head')
  await head.goto(`${base}/hazards?unit=500233001`)
  const row = head.locator('.el-table__body-wrapper tbody tr', { hasText: assigned[0].number })
  await row.waitFor()
  assert.match(await row.innerText(), new RegExp(deadline))
  await context.close()
})

await step('移交: the ledger filters the findings referred to a department and marks them', async () => {
  const referred = await api(adminToken, '/v1/console/ledger?referral=any&size=500')
  assert.ok(referred.total > 0 && referred.items.every((h) => h.referral), 'demo has referred findings')
  await page.goto(`${base}/hazards?referral=any`)
  await page.locator('[data-test=total]').filter({ hasText: `共 ${referred.total} 条` }).waitFor()
  await page.goto(`${base}/hazards/${referred.items[0].id}`)
  await page.locator('[data-test=referral]').filter({ hasText: '已移交' }).waitFor()
})

await step('verify closes a submitted hazard; reject sends another back with the reason', async () => {
  await page.goto(`${base}/hazards/${submitted[0].id}`)
  await page.click('[data-test=verify]')
  await page.click('[data-test=verify-ok]')
  await page.locator('[data-test=status]', { hasText: '已销号' }).waitFor()
  await page.goto(`${base}/hazards/${submitted[1].id}`)
  await page.click('[data-test=reject]')
  await page.locator('[data-test=reject-ok]').click()
  await page.locator('[data-test=dlg-error]', { hasText: '请填写退回理由' }).waitFor()
  await field(page, 'reject-reason').fill('整改后照片看不到灭火器压力表，请补拍')
  await page.click('[data-test=reject-ok]')
  await page.locator('[data-test=status]', { hasText: '整改中' }).waitFor()
  await page.locator('.el-timeline-item', { hasText: '请补拍' }).first().waitFor()
  const a = await api(adminToken, `/v1/hazards/${submitted[0].id}`)
  const b = await api(adminToken, `/v1/hazards/${submitted[1].id}`)
  assert.equal(a.hazard.status, 'closed')
  assert.equal(b.hazard.status, 'rectifying')
  assert.equal(b.hazard.rejections >= 1, true)
})

await step('a site sheet with a bad row shows the row and imports nothing', async () => {
  const sitesBefore = (await api(adminToken, '/v1/sites')).length
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('场所')
  ws.addRow(['名称', '行业', '纬度', '经度', '半径（米）', '属地乡镇', '属事部门', '地址', '联系人', '联系电话'])
  ws.addRow(['测试加油站', '危险化学品', 30.29, 108.05, 80, '忠州街道', '', '忠州街道测试路 1 号', '李四', '13800000000'])
  ws.addRow(['没有乡镇的场所', '危险化学品', 30.3, 108.06, 50, '不存在乡', '', '', '', ''])
  const buf = Buffer.from(await wb.xlsx.writeBuffer())
  await page.goto(`${base}/sites`)
  await page.locator('[data-test=import-file]').setInputFiles({ name: 'sites.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: buf })
  const report = page.locator('[data-test=import-report]')
  await report.waitFor()
  const text = await report.innerText()
  assert.match(text, /没有导入任何场所/)
  assert.match(text, /\b3\b/, 'row 3 named')
  assert.match(text, /不存在乡/)
  assert.equal((await api(adminToken, '/v1/sites')).length, sitesBefore)
})

await step('a site is edited and the server keeps the change', async () => {
  const sites = (await api(adminToken, '/v1/sites')).sort((a, b) => a.id.localeCompare(b.id))
  const first = sites[0]
  await page.goto(`${base}/sites`)
  await page.locator('.el-table__body-wrapper tbody tr').first().getByRole('button', { name: '编辑' }).click()
  // 场所属性: the industry's conditions as checkboxes; one more is ticked.
  const unticked = page.getByRole('dialog').locator('[data-test=site-attribute-choices] .el-checkbox:not(.is-checked)').first()
  const attributeLabel = (await unticked.innerText()).trim()
  await unticked.click()
  await page.locator('#s-cn').fill('王五')
  await page.locator('#s-cp').fill('12')
  await page.getByRole('dialog').getByRole('button', { name: '保存' }).click()
  // A bad phone number is refused with the server's reason; a good one is kept.
  await page.getByRole('dialog').locator('[role=alert]').waitFor()
  await page.locator('#s-cp').fill('13912345678')
  await page.getByRole('dialog').getByRole('button', { name: '保存' }).click()
  await page.getByRole('dialog').waitFor({ state: 'hidden' })
  const after = await api(adminToken, `/v1/sites/${first.id}`)
  assert.equal(after.contact_name, '王五')
  assert.equal(after.contact_phone, '13912345678')
  assert.equal(after.name, first.name)
  assert.equal(after.attributes.length, (first.attributes ?? []).length + 1)
  await page.locator('.el-table__body-wrapper tbody tr').first().locator('[data-test=site-attributes]', { hasText: attributeLabel }).waitFor()
})

await step('a site code (扫码入企) shows as a sticker and opens the public page', async () => {
  const sites = (await api(adminToken, '/v1/sites')).sort((a, b) => a.id.localeCompare(b.id))
  await page.goto(`${base}/sites`)
  await page.locator('.el-table__body-wrapper tbody tr').first().getByRole('button', { name: '场所码' }).click()
  const sticker = page.locator('[data-test=sticker]')
  await sticker.locator('svg').waitFor()
  assert.equal((await sticker.locator('.sticker-name').innerText()).trim(), sites[0].name)
  const text = (await sticker.locator('.sticker-text').innerText()).trim()
  assert.ok(text.includes(`/q/${sites[0].id}/`), text)
  await page.getByRole('dialog').getByRole('button', { name: '关闭', exact: true }).click()
  await page.getByRole('dialog').waitFor({ state: 'hidden' })
  // The code's text opens the enterprise's page without signing in.
  const r = await fetch(text)
  assert.equal(r.status, 200)
  const html = await r.text()
  assert.ok(html.includes('入企检查记录') && html.includes(sites[0].name), html.slice(0, 200))
})

await step('扫码投诉举报: the office hands a complaint over to a body with powers over the site; its follow-up shows', async () => {
  await handOverAComplaint({ base, page, api, adminToken, signIn, pickOption })
})

await step('a patrol plan is created and the visited township\'s head cannot see it', async () => {
  const title = `暗访测试 ${Date.now()}`
  await page.goto(`${base}/patrols`)
  await page.click('[data-test=new-patrol]')
  await field(page, 'patrol-title').fill(title)
  await pickOption(page, page.locator('[data-test=patrol-sites]'), '石宝天然气调压站')
  await page.keyboard.press('Escape')
  const inputs = field(page, 'patrol-window')
  await inputs.nth(0).fill(deadline)
  await inputs.nth(1).fill(deadline)
  await inputs.nth(1).press('Enter')
  await page.click('[data-test=patrol-ok]')
  await page.locator('[data-test=patrol-table]', { hasText: title }).waitFor()
  const headToken = await apiLogin('sb_head')
  const theirs = await api(headToken, '/v1/patrols')
  assert.equal(theirs.some((p) => p.title === title), false)
  const { context, page: head } = await signIn('sb_head')
  await head.goto(`${base}/patrols`)
  await head.locator('[data-test=patrol-table] .el-table__body-wrapper, [data-test=patrol-table] .el-table__empty-text').first().waitFor()
  await head.waitForTimeout(300)
  assert.equal(await head.getByText(title).count(), 0)
  await context.close()
})

await step('a 专项检查 plan is recorded by the office and approved by the county head', async () => {
  const title = `专项检查测试 ${Date.now()}`
  await page.goto(`${base}/campaigns`)
  await page.click('[data-test=new-campaign]')
  await field(page, 'campaign-title').fill(title)
  await field(page, 'campaign-scope').fill('危险化学品企业重大危险源管控')
  await pickOption(page, page.locator('[data-test=campaign-industries]'), '危险化学品')
  await page.keyboard.press('Escape')
  await pickOption(page, page.locator('[data-test=campaign-units]'), '县应急管理局')
  await page.keyboard.press('Escape')
  const inputs = field(page, 'campaign-period')
  await inputs.nth(0).fill(deadline)
  await inputs.nth(1).fill(deadline)
  await inputs.nth(1).press('Enter')
  await page.click('[data-test=campaign-ok]')
  await page.locator('[data-test=campaign-table] tr', { hasText: title }).getByText('待批准').waitFor()
  // The office may not approve; the county head does (console or API).
  assert.equal(await page.locator('[data-test=approve]').count(), 0)
  const headToken = await apiLogin('xianzhang')
  const plan = (await api(headToken, '/v1/campaigns')).find((p) => p.title === title)
  const r = await fetch(`${base}/v1/campaigns/${plan.id}/approve`, { method: 'POST', headers: { Authorization: `Bearer ${headToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ document: '忠府办〔2026〕12号' }) })
  assert.equal(r.status, 200)
  await page.reload()
  await page.locator('[data-test=campaign-table] tr', { hasText: title }).locator('[data-test=approved]').waitFor()
})

await step('a month that has ended is published (frozen) once', async () => {
  const now = new Date(Date.now() + 8 * 3600_000)
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)).toISOString().slice(0, 7)
  await page.goto(`${base}/assessment?month=${last}`)
  await page.locator('[data-test=publication]', { hasText: '未发布' }).waitFor()
  await page.click('[data-test=publish]')
  await page.locator('.el-message-box').getByRole('button', { name: '发布' }).click()
  await page.locator('[data-test=publication]', { hasText: '已发布' }).waitFor()
  const frozen = await api(adminToken, `/v1/assessments/${last}/published`)
  assert.equal(frozen.month, last)
  // A second attempt is refused by the server with its reason.
  const again = await fetch(`${base}/v1/assessments/${last}/publish`, { method: 'POST', headers: { Authorization: `Bearer ${adminToken}` } })
  assert.equal(again.status, 409)
})

await step('月度考核: the self-assessment beside the office score, indicator by indicator', async () => {
  const now = new Date(Date.now() + 8 * 3600_000)
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)).toISOString().slice(0, 7)
  const a = await api(adminToken, `/v1/assessments/${last}`)
  const row = a.scores.find((s) => s.self_score != null && s.unit_kind === 'township')
  assert.ok(row, 'the demo county has self-assessments')
  const item = row.indicators.find((i) => i.self_note)
  await page.goto(`${base}/assessment?month=${last}`)
  await page.getByRole('cell', { name: row.unit_name, exact: true }).first().click()
  await page.getByText(item.self_note).first().waitFor()
})

await step('a county version of a checklist is uploaded and what changed is shown', async () => {
  const original = readFileSync('../core/domain/checklists/gas.toml', 'utf8')
  const version = '2026.1-忠县'
  const extra = original.slice(original.indexOf('[[items]]\nid = "GAS-003"')).split('\n[[items]]')[0].replace('id = "GAS-003"', 'id = "GAS-901"').replace(/^text = ".*"$/m, 'text = "县级补充：燃气用户端安装燃气泄漏报警装置并保持有效"')
  const county = original.replace(/^version = ".*"$/m, `version = "${version}"`)
    .replace('text = "企业主要负责人、安全生产管理人员经专业培训并考核合格"', 'text = "企业主要负责人、安全生产管理人员经县燃气主管部门考核合格并持证上岗"')
    + '\n' + extra + '\n'
  await page.goto(`${base}/checklists`)
  await page.locator('input[type=file]').setInputFiles({ name: 'gas-county.toml', mimeType: 'text/plain', buffer: Buffer.from(county) })
  await page.getByText(`已发布：城镇燃气 ${version}`).waitFor()
  const list = await api(adminToken, '/v1/checklists')
  assert.equal(list.find((c) => c.code === 'gas').version, version)
  await page.locator('.el-table__body-wrapper tbody tr', { hasText: '城镇燃气' }).first().click()
  const detail = page.locator('[data-test=cl-detail]')
  await detail.getByText('相比：新增 1 项，删除 0 项，修改 1 项').waitFor()
  // The changes, item by item, from the server's diff: the added item and the reworded one.
  const changes = detail.locator('[data-test=cl-changes]')
  await changes.locator('tr', { hasText: 'GAS-901' }).getByText('新增').waitFor()
  const reworded = changes.locator('tr', { hasText: '修改' })
  await reworded.getByText('检查内容：').waitFor()
  await reworded.locator('ins', { hasText: '经县燃气主管部门考核合格并持证上岗' }).waitFor()
  // The items still waiting for review, as the server counts them.
  const gas = await api(adminToken, `/v1/checklists/gas?version=${encodeURIComponent(version)}`)
  const waiting = gas.items.filter((i) => !i.verified).length
  await detail.locator('[data-test=cl-unverified]').click()
  await detail.getByText(`只看待核对（${waiting}）`).waitFor()
  const rows = detail.locator('[data-test=cl-items] tbody tr.el-table__row')
  for (let i = 0; (await rows.count()) !== waiting; i++) {
    assert.ok(i < 100, `only the ${waiting} items waiting for review are listed`)
    await page.waitForTimeout(100)
  }
})

const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
await step('a 述职 is recorded with its file, listed, and the file downloads unchanged', async () => {
  const topic = `石宝镇${today.slice(0, 7)}安全生产履职述职 ${Date.now() % 100000}`
  const text = `${topic}\n本月排查隐患 12 处，已整改 10 处，2 处正在整改。`
  await page.goto(`${base}/rotation`)
  await page.click('[data-test=ro-new]')
  const dlg = page.getByRole('dialog')
  await pickOption(page, dlg.locator('[data-test=ro-unit]'), '石宝镇')
  await pickOption(page, dlg.locator('[data-test=ro-person]'), '卫东')
  await field(dlg, 'ro-date').fill(today)
  await field(dlg, 'ro-date').press('Enter')
  await dlg.locator('#ro-topic').fill(topic)
  await dlg.locator('#ro-file').setInputFiles({ name: '述职报告.txt', mimeType: 'text/plain', buffer: Buffer.from(text) })
  await page.click('[data-test=ro-ok]')
  await page.getByText('已上传 述职报告.txt').waitFor()
  const row = page.locator('.el-table__body-wrapper tbody tr', { hasText: topic })
  await row.getByRole('button', { name: '下载 述职报告.txt' }).waitFor()
  const reports = await api(adminToken, `/v1/duty-reports?unit=500233107`)
  const rec = reports.find((r) => r.topic === topic)
  assert.ok(rec, 'the report is on the server')
  assert.equal(rec.files.length, 1)
  assert.equal(rec.files[0].name, '述职报告.txt')
  const [dl] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: '下载 述职报告.txt' }).click()])
  assert.equal(dl.suggestedFilename(), '述职报告.txt')
  assert.equal(readFileSync(await dl.path(), 'utf8'), text)
  // Another township cannot read the file.
  const other = await apiLogin('zz_head')
  const r = await fetch(`${base}/v1/blobs/${rec.files[0].sha256}`, { headers: { Authorization: `Bearer ${other}` } })
  assert.equal(r.status, 404)
})

await step('a person is created with an account; its password is reset; disabled, it cannot sign in', async () => {
  const username = `zz_safety${Date.now() % 100000}`
  const first = 'Zhongzhou-2026!'
  const second = 'Shibao-reset-77'
  await page.goto(`${base}/org?tab=people`)
  await page.getByRole('button', { name: '新增人员与账号' }).click()
  const dlg = page.getByRole('dialog')
  await dlg.locator('#p-name').fill('杨帆')
  await pickOption(page, dlg.locator('[data-test=p-unit]'), '忠州街道')
  await pickOption(page, dlg.locator('[data-test=p-roles]'), '检查人员')
  await page.keyboard.press('Escape')
  await dlg.locator('#p-phone').fill('13700001111')
  await dlg.locator('#p-user').fill(username)
  await dlg.locator('#p-pass').fill(first)
  await dlg.getByRole('button', { name: '保存' }).click()
  await dlg.waitFor({ state: 'hidden' })
  const people = await api(adminToken, '/v1/people')
  const person = people.find((p) => p.name === '杨帆' && p.unit_id === '500233001')
  assert.ok(person, 'the person is on the server')
  const login = (pw) => fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: pw }) })
  assert.equal((await login(first)).status, 200)
  // The account in the list; its password reset.
  await page.goto(`${base}/org?tab=accounts`)
  await page.getByLabel('账号或姓名').fill(username)
  const row = page.locator('.el-table__body-wrapper tbody tr', { hasText: username })
  await row.getByText('杨帆').waitFor()
  await row.getByRole('button', { name: `重置 ${username} 的密码` }).click()
  const reset = page.getByRole('dialog', { name: `重置密码：${username}` })
  await reset.locator('#ac-pass').fill('123')
  await reset.getByRole('button', { name: '确定重置' }).click()
  await reset.locator('[role=alert]').waitFor()
  assert.match(await reset.locator('[role=alert]').innerText(), /[\u4e00-\u9fff]/)
  await reset.locator('#ac-pass').fill(second)
  await reset.getByRole('button', { name: '确定重置' }).click()
  await page.getByText(`已重置 ${username} 的密码`).waitFor()
  assert.equal((await login(first)).status, 401)
  assert.equal((await login(second)).status, 200)
  // Disabled: the list says so, and signing in is refused in Chinese.
  await row.getByRole('button', { name: `停用 ${username}` }).click()
  await page.locator('.el-message-box').getByRole('button', { name: '停用' }).click()
  await row.getByText('已停用').waitFor()
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' })
  const p = await ctx.newPage()
  watch(p, username)
  await p.goto(`${base}/login`)
  await p.fill('#username', username)
  await p.fill('#password', second)
  await p.click('button[type=submit]')
  await p.locator('[role=alert]', { hasText: '账号已停用' }).waitFor()
  assert.match(p.url(), /\/login/)
  await ctx.close()
  // The audit log shows what the office did.
  await page.goto(`${base}/org?tab=audit`)
  await page.locator('.el-table__body-wrapper tbody tr', { hasText: username }).first().waitFor()
  const audit = await api(adminToken, `/v1/admin/audit?username=${username}`)
  for (const a of ['account_created', 'password_reset', 'account_disabled']) assert.ok(audit.some((e) => e.action === a), a)
})

await step('履职纪实 drills down from required vs done to the records themselves', async () => {
  const month = today.slice(0, 7)
  const duty = await api(adminToken, `/v1/duty?month=${month}`)
  let pick = null
  for (const p of duty) for (const s of p.statuses) if (!pick && s.activity_ids.length && p.unit_id === '500233107') pick = { p, s }
  assert.ok(pick, 'a 石宝镇 duty line with records this month')
  await page.goto(`${base}/duty`)
  await page.locator('.el-table__body-wrapper tbody tr', { hasText: '石宝镇' }).first().click()
  const n = pick.s.activity_ids.length
  await page.getByRole('button', { name: `查看${pick.p.name}“${pick.s.quota.label}”的 ${n} 条记录` }).click()
  const drawer = page.locator('.el-drawer', { hasText: `${pick.p.name} · ${pick.s.quota.label}` })
  await drawer.locator('.el-table__body-wrapper tbody tr').first().waitFor()
  assert.equal(await drawer.locator('.el-table__body-wrapper tbody tr').count(), n)
  // From a record to the record.
  const link = drawer.locator('.el-table__body-wrapper tbody tr a').first()
  const title = await link.innerText()
  await link.click()
  await page.waitForURL(/\/(inspections|meetings)\?/)
  if (/inspections/.test(page.url())) await page.locator('.el-drawer__title', { hasText: title }).waitFor()
  else await page.getByText(title).first().waitFor()
  // The unit's meetings, investments and 约谈问责 of the month, as the API lists them.
  for (const [path, endpoint] of [['meetings', '/v1/meetings'], ['investments', '/v1/investments'], ['accountability', '/v1/accountability']]) {
    const rows = await api(adminToken, `${endpoint}?unit=500233107&month=${month}`)
    await page.goto(`${base}/${path}?unit=500233107&month=${month}`)
    await page.getByText(`共 ${rows.length} 条`).first().waitFor()
    const shown = Math.min(rows.length, 20)
    if (shown) await page.locator('.el-table__body-wrapper tbody tr').nth(shown - 1).waitFor()
    assert.equal(await page.locator('.el-table__body-wrapper tbody tr').count(), shown)
  }
})

await step('月底报送: every unit\'s month-end items with due dates and status', async () => {
  const month = today.slice(0, 7)
  const rows = await api(adminToken, `/v1/month-end?month=${month}`)
  assert.ok(rows.length >= 4 * 40, `${rows.length} items`)
  await page.goto(`${base}/month-end`)
  await page.getByText('主要负责人和分管负责人履职纪实').first().waitFor()
  await page.locator('.el-table__body-wrapper tbody tr').nth(rows.length - 1).waitFor()
  assert.equal(await page.locator('.el-table__body-wrapper tbody tr').count(), rows.length)
})

await step('约谈问责: a suggestion of the rules becomes a record in one step, and the ledger downloads', async () => {
  const sugs = await api(adminToken, '/v1/accountability/suggestions')
  assert.ok(sugs.length > 0, 'the demo county has suggestions')
  const s = sugs[0]
  await page.goto(`${base}/accountability`)
  await page.getByRole('tab', { name: /规则提示/ }).click()
  await page.getByRole('button', { name: `记录约谈：${s.unit_name} ${s.rule_label}` }).first().click()
  const dialog = page.locator('.el-dialog', { hasText: '登记约谈问责' })
  await dialog.waitFor()
  assert.equal(await dialog.getByRole('textbox', { name: '事由' }).inputValue(), s.summary, 'nothing typed twice')
  await dialog.getByRole('button', { name: '登记' }).click()
  await page.getByText(`已登记：${s.unit_name}`).waitFor()
  assert.ok(!(await api(adminToken, '/v1/accountability/suggestions')).some((x) => x.id === s.id), 'answered: no longer suggested')
  const recs = await api(adminToken, '/v1/accountability')
  assert.ok(recs.some((r) => r.suggestion_id === s.id && r.reason === s.summary && r.unit_id === s.unit_id))
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出约谈问责台账' }).click()])
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(readFileSync(await dl.path()))
  let found = false
  wb.worksheets[0].eachRow((row) => row.eachCell((c) => { if (c.value === s.summary) found = true }))
  assert.ok(found, 'the new record is in the ledger')
})

await step('委托技术服务 and 专家库: coverage, engagements and the pool as the API has them', async () => {
  const year = today.slice(0, 4)
  const cov = await api(adminToken, `/v1/engagements/coverage?year=${year}`)
  const gas = cov.find((r) => r.industry === 'gas')
  assert.ok(gas && gas.engaged > 0, JSON.stringify(gas))
  await page.goto(`${base}/engagements`)
  await page.getByText(`${year}年城镇燃气场所安全评估检查`).waitFor()
  await page.getByRole('cell', { name: gas.label, exact: true }).first().waitFor()
  const pool = await api(adminToken, '/v1/experts')
  await page.goto(`${base}/experts`)
  await page.getByText(pool[0].employer).first().waitFor()
  assert.equal(await page.locator('.el-table__body-wrapper tbody tr').count(), pool.length)
})

await step('任务交办: the office accepts a submitted part and its status follows', async () => {
  const r = (await api(adminToken, '/v1/tasks?status=submitted'))[0]
  assert.ok(r, 'the demo county has a submitted task')
  const unitName = (await api(adminToken, '/v1/units')).find((u) => u.id === r.unit_id).name
  await page.goto(`${base}/tasks`)
  await page.getByRole('button', { name: `办结：${r.title} ${unitName}` }).click()
  await page.getByText(`已办结：${r.title}`).waitFor()
  const after = (await api(adminToken, '/v1/tasks')).find((x) => x.task_id === r.task_id && x.unit_id === r.unit_id)
  assert.equal(after.status_label, '已办结')
})

await step('任务交办: a township reports its proof with a file (tus, SHA-256 checked by the server); the office downloads it unchanged', async () => {
  const taskId = randomUUID()
  const title = `报送燃气安全专项整治工作方案 ${Date.now() % 100000}`
  const deadline = new Date(Date.now() + (8 + 7 * 24) * 3600_000).toISOString().slice(0, 10)
  const assigned = await fetch(`${base}/v1/sync/push`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ protocol: 1, device_id: 'e2e', ops: [{ op_id: randomUUID(), entity: 'work_task', entity_id: taskId, op: 'assign', device_time: new Date().toISOString(),
      payload: { id: taskId, title, content: '制定本镇燃气安全专项整治工作方案并报县安委办', deadline, unit_ids: ['500233107'] } }] }),
  })
  assert.equal((await assigned.json()).results[0].status, 'applied')
  const text = `${title}\n一、工作目标：全面排查辖区燃气用户，建立隐患台账。\n二、工作措施：逐户检查，限期整改。`
  const { context, page: head } = await signIn('sb_head')
  await head.goto(`${base}/tasks`)
  await head.getByRole('button', { name: `报送办理情况：${title}` }).click()
  const dlg = head.getByRole('dialog')
  await field(dlg, 'task-proof-text').fill('已制定方案并印发各村（社区）')
  await dlg.locator('#task-proof-files').setInputFiles({ name: '工作方案.txt', mimeType: 'text/plain', buffer: Buffer.from(text) })
  await dlg.getByRole('button', { name: '报送' }).click()
  await head.getByText(`已报送：${title}（附 1 个文件）`).waitFor()
  await context.close()
  const row = (await api(adminToken, '/v1/tasks')).find((r) => r.task_id === taskId)
  assert.equal(row.status, 'submitted')
  assert.equal(row.files.length, 1)
  assert.equal(row.files[0].sha256, createHash('sha256').update(text).digest('hex'))
  await page.goto(`${base}/tasks`)
  const name = `${title}-石宝镇办理佐证.txt`
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `下载 ${name}` }).click()])
  assert.equal(dl.suggestedFilename(), name)
  assert.equal(readFileSync(await dl.path(), 'utf8'), text)
  // Another township can neither read the task nor its file.
  const other = await apiLogin('zz_head')
  const r = await fetch(`${base}/v1/blobs/${row.files[0].sha256}`, { headers: { Authorization: `Bearer ${other}` } })
  assert.equal(r.status, 404)
})

await step("提醒: the bell opens 我的提醒; 县安委办 sets 忠州街道's 钉钉 robot, its token and secret never shown back", async () => {
  await page.goto(`${base}/`)
  await page.getByRole('button', { name: /^我的提醒，未读 \d+ 条$/ }).click()
  await page.waitForURL(`${base}/reminders`)
  await page.getByRole('heading', { name: '我的提醒' }).waitFor()
  const r = await fetch(`${base}/v1/reminders/channels/500233001`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=e2e-secret-token', secret: 'SEC-e2e-secret' }),
  })
  assert.equal(r.status, 200)
  await page.reload()
  const row = page.getByRole('row', { name: /忠州街道/ }).filter({ hasText: '钉钉' })
  await row.waitFor()
  const html = await page.content()
  assert.equal(html.includes('e2e-secret-token') || html.includes('SEC-e2e-secret'), false)
  assert.ok((await row.textContent()).includes('https://oapi.dingtalk.com/robot/send'))
})

const pages = [
  ['overview', '/'], ['hazards', '/hazards'], ['hazard-detail', `/hazards/${submitted[1].id}`], ['inspections', '/inspections'],
  ['sites', '/sites'], ['org', '/org'], ['checklists', '/checklists'], ['patrols', '/patrols'], ['campaigns', '/campaigns'], ['duty', '/duty'],
  ['rotation', '/rotation'], ['assessment', '/assessment'], ['downloads', '/downloads'],
  ['org-accounts', '/org?tab=accounts'], ['org-audit', '/org?tab=audit'], ['meetings', '/meetings'],
  ['engagements', '/engagements'], ['experts', '/experts'],
  ['investments', '/investments'], ['accountability', '/accountability'], ['tasks', '/tasks'], ['mechanism', '/mechanism'], ['month-end', '/month-end'],
  ['reminders', '/reminders'], ['feedback', '/feedback'], ['complaints', '/complaints'],
]

const consoleConfig = await (await fetch(`${base}/v1/console/config`)).json()
if (!consoleConfig.identity_provider) {
  console.log('--  统一身份认证: no provider configured on this server (scripts/test-console.sh starts one)')
} else {
  await step('统一身份认证: the office links an account, its owner signs in at the provider; an unlinked identity is refused', async () => {
    await page.goto(`${base}/org?tab=accounts`)
    await page.getByLabel('账号或姓名').fill('zz_patrol')
    const row = page.locator('.el-table__body-wrapper tbody tr', { hasText: 'zz_patrol' })
    await row.getByRole('button', { name: '关联 zz_patrol 的统一身份' }).click()
    const dlg = page.getByRole('dialog', { name: '关联统一身份：zz_patrol' })
    await dlg.locator('#ac-identity').fill('gov-zz-patrol')
    await dlg.getByRole('button', { name: '确定关联' }).click()
    await page.getByText('已将 zz_patrol 关联到统一身份 gov-zz-patrol').waitFor()
    // The sign-in page's button leaves for the provider (another origin: not watched for
    // outside requests), where the person types their identity.
    const through = async (identity) => {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' })
      const p = await ctx.newPage()
      p.on('pageerror', (e) => problems.push(`统一身份 page error: ${e.message}`))
      await p.goto(`${base}/login`)
      await p.locator('[data-test=identity-login]', { hasText: consoleConfig.identity_provider.name }).click()
      await p.waitForURL((u) => u.origin !== base)
      await p.fill('input[name=login]', identity)
      await p.click('button[type=submit]')
      await p.waitForURL((u) => u.origin === base && !u.pathname.startsWith('/login/oidc') || u.pathname === '/login/oidc' && u.searchParams.has('code'))
      return { ctx, p }
    }
    const linked = await through('gov-zz-patrol')
    await linked.p.getByRole('button', { name: '退出登录' }).waitFor()
    const signedIn = await linked.p.evaluate(() => JSON.parse(sessionStorage.getItem('anjian.session')))
    assert.equal(signedIn.me.username, 'zz_patrol')
    assert.equal(/code=|state=|token/i.test(linked.p.url()), false, 'no code, state or token left in the address')
    await linked.ctx.close()
    const unknown = await through('gov-nobody')
    await unknown.p.locator('[role=alert]').waitFor()
    assert.match(await unknown.p.locator('[role=alert]').innerText(), /[\u4e00-\u9fff]/)
    assert.equal(await unknown.p.evaluate(() => sessionStorage.getItem('anjian.session')), null)
    await unknown.ctx.close()
    const audit = await api(adminToken, '/v1/admin/audit?username=zz_patrol')
    assert.ok(audit.some((e) => e.action === 'identity_linked'), 'linking is audited')
  })
}

await step('axe-core: no serious or critical violation on any page', async () => {
  const found = []
  const check = async (p, name) => {
    const r = await new AxeBuilder({ page: p }).analyze()
    for (const v of r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
      found.push(`${name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)
    }
  }
  for (const [name, path] of pages) {
    await page.goto(`${base}${path}`)
    await page.waitForLoadState('networkidle')
    await page.waitForTimeout(300)
    await check(page, name)
  }
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } })
  const login = await ctx.newPage()
  await login.goto(`${base}/login`)
  await login.locator('#username').waitFor()
  await check(login, 'login')
  await ctx.close()
  assert.deepEqual(found, [], found.join('\n'))
})

if (shotDir) {
  await step(`screenshots of every page in ${shotDir}`, async () => {
    mkdirSync(shotDir, { recursive: true })
    for (const [name, path] of pages) {
      await page.goto(`${base}${path}`)
      await page.waitForLoadState('networkidle')
      await page.waitForTimeout(500)
      await page.screenshot({ path: join(shotDir, `${name}-desktop.png`) })
    }
    const { context, page: phone } = await signIn('admin', { width: 390, height: 844 })
    for (const [name, path] of pages) {
      await phone.goto(`${base}${path}`)
      await phone.waitForLoadState('networkidle')
      await phone.waitForTimeout(500)
      await phone.screenshot({ path: join(shotDir, `${name}-phone.png`) })
    }
    await context.close()
  })
}

await step('logout ends the session on the server; an expired session returns to the sign-in page', async () => {
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('anjian.session')).token)
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.waitForURL(/\/login/)
  const r = await fetch(`${base}/v1/me`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(r.status, 401)
  const { context, page: p } = await signIn('duchaban')
  await p.evaluate(() => {
    const s = JSON.parse(sessionStorage.getItem('anjian.session'))
    s.expiresAt = new Date(Date.now() - 1000).toISOString()
    sessionStorage.setItem('anjian.session', JSON.stringify(s))
  })
  await p.goto(`${base}/hazards`)
  await p.waitForURL(/\/login/)
  await p.getByText('登录已过期').waitFor()
  // The token is never in an address.
  assert.equal(/token|Bearer/i.test(p.url()), false)
  await context.close()
})

await adminCtx.close()
await browser.close()
assert.deepEqual(problems, [], problems.join('\n'))
console.log(`console e2e: all passed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
