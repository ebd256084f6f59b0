// The ledger with a large county, in Chromium: navigation to the first page rendered and a
// filter's time, each beside the API call alone (medians of 5). Run by
// `anjian-ledger-bench --browser` (tests/src/bin/ledger_bench.rs), which seeds the hazards and
// serves the console.
import { chromium } from 'playwright-core'
import assert from 'node:assert/strict'

const [base, expectedTotal] = process.argv.slice(2)
const RUNS = 5
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const login = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'anjian-demo' }) })
const { token } = await login.json()
async function apiMs(path) {
  const t = performance.now()
  const r = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' } })
  const body = await r.json()
  return [performance.now() - t, body]
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
const context = await browser.newContext({ viewport: { width: 1366, height: 768 } })
const page = await context.newPage()
await page.goto(`${base}/`)
await page.fill('#username', 'admin')
await page.fill('#password', 'anjian-demo')
await page.click('button[type=submit]')
await page.waitForURL(`${base}/`)
await page.locator('.card .num').first().waitFor({ timeout: 120_000 })

// Site names with 石宝 (石宝镇's sites), major hazards only: typed and chosen on the page.
const filter = `q=${encodeURIComponent('石宝')}&level=major`
const [, whole] = await apiMs('/v1/console/ledger?size=20')
assert.equal(String(whole.total), expectedTotal)
const [, filtered] = await apiMs(`/v1/console/ledger?${filter}&size=20`)

const nav = [], navApi = [], fil = [], filApi = []
for (let i = 0; i < RUNS; i++) {
  navApi.push((await apiMs('/v1/console/ledger?size=20'))[0])
  filApi.push((await apiMs(`/v1/console/ledger?${filter}&size=20`))[0])
  // Navigation to the ledger's first page rendered (the app is cached, as on an office PC).
  await page.goto(`${base}/downloads`)
  await page.getByRole('heading', { name: '下载' }).waitFor()
  let t = performance.now()
  await page.goto(`${base}/hazards`)
  await page.locator('[data-test=total]', { hasText: `共 ${whole.total} 条` }).waitFor()
  await page.locator('.el-table__body-wrapper tbody tr').nth(19).waitFor()
  nav.push(performance.now() - t)
  // A filter applied on the page: keyword typed, level chosen, 查询 clicked, table redrawn.
  await page.getByLabel('关键词').fill('石宝')
  await page.locator('.el-select', { has: page.getByRole('combobox', { name: '隐患等级' }) }).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '重大隐患' }).click()
  t = performance.now()
  await page.click('[data-test=search]')
  await page.locator('[data-test=total]', { hasText: `共 ${filtered.total} 条` }).waitFor()
  fil.push(performance.now() - t)
}
await browser.close()
const r = {
  hazards: whole.total,
  ledger_first_page_ms: Math.round(median(nav)),
  ledger_api_ms: Math.round(median(navApi)),
  filter_ms: Math.round(median(fil)),
  filter_api_ms: Math.round(median(filApi)),
  filtered_total: filtered.total,
}
console.log(JSON.stringify(r))
console.log(`| ${r.hazards} | ${r.ledger_first_page_ms} ms | ${r.ledger_api_ms} ms | ${(r.ledger_first_page_ms / r.ledger_api_ms).toFixed(2)} | ${r.filter_ms} ms | ${r.filter_api_ms} ms | ${(r.filter_ms / r.filter_api_ms).toFixed(2)} |`)
