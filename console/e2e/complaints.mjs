// 扫码投诉举报 in the console (a step of e2e/run.mjs): 县安委办 hands a complaint over to an
// enforcement body chosen among those the server offers, and sees it marked 已交办 with the
// body, who and when; the demo's answered complaint shows its 行政检查 and result; a county
// leader sees the list without the action, a township is refused in Chinese.
import assert from 'node:assert/strict'

export async function handOverAComplaint({ base, page, api, adminToken, signIn, pickOption }) {
  const list = await api(adminToken, '/v1/complaints')
  const waiting = list.find((c) => !c.assigned_unit_id)
  assert.ok(waiting, 'the demo has a complaint waiting to be handed over')
  const answered = list.find((c) => c.follow_up)
  assert.ok(answered, 'the demo has a complaint answered by an inspection')

  await page.goto(`${base}/complaints`)
  const table = page.locator('[data-test=complaints-table]')
  await table.getByText(waiting.text).waitFor()
  assert.equal(await table.locator('.el-table__body-wrapper tbody tr').count(), list.length)
  // The answered one: its inspection, who led it, and what it found.
  const follow = page.locator(`[data-test=complaint-follow-up-${answered.id}]`)
  const f = answered.follow_up
  await follow.getByText(`行政检查：${f.leader_name}`).waitFor()
  assert.ok((await follow.innerText()).includes(`不合格 ${f.failed} 项`), await follow.innerText())

  // 交办: the dialog offers exactly the bodies with powers over the site.
  const bodies = await api(adminToken, `/v1/complaints/${waiting.id}/bodies`)
  assert.ok(bodies.length >= 1)
  await page.click(`[data-test=complaint-assign-${waiting.id}]`)
  const dialog = page.getByRole('dialog', { name: '交办投诉举报' })
  await dialog.getByText(waiting.text).waitFor()
  const select = dialog.locator('[data-test=complaint-unit]')
  await select.click()
  const options = page.locator('.el-select-dropdown__item:visible')
  await options.first().waitFor()
  assert.deepEqual(await options.allInnerTexts(), bodies.map((b) => b.name))
  await page.keyboard.press('Escape')
  const body = bodies[bodies.length - 1]
  await pickOption(page, select, body.name)
  await dialog.locator('[data-test=complaint-assign-ok]').click()
  await dialog.waitFor({ state: 'hidden' })
  const marked = page.locator(`[data-test=complaint-assigned-${waiting.id}]`)
  await marked.getByText('已交办').waitFor()
  const shown = await marked.innerText()
  assert.ok(shown.includes(body.name) && shown.includes('赵敏'), shown)
  const after = (await api(adminToken, '/v1/complaints')).find((c) => c.id === waiting.id)
  assert.equal(after.assigned_unit_id, body.id)
  assert.equal(after.assigned_by, '赵敏')
  assert.equal(await page.locator(`[data-test=complaint-assign-${waiting.id}]`).count(), 0)

  // A county leader reads the list but has no 交办; a township is refused in Chinese.
  const { context: c1, page: head } = await signIn('xianzhang')
  await head.goto(`${base}/complaints`)
  await head.locator('[data-test=complaints-table]').getByText(waiting.text).waitFor()
  assert.equal(await head.locator('[data-test^=complaint-assign-]').count(), 0)
  await c1.close()
  const { context: c2, page: town } = await signIn('sb_head')
  await town.goto(`${base}/complaints`)
  await town.getByRole('alert').getByText('只有县级可以查看企业投诉').waitFor()
  await c2.close()
}
