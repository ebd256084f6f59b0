// Record changes go through the server's one apply path, POST /v1/sync/push, exactly as a
// phone's outbox does: one operation with a fresh idempotency key, refused with the server's
// Chinese reason when the rules say no.
import { postJson, session, ApiError } from './client'

export interface OpResult {
  op_id: string
  status: 'applied' | 'already_applied' | 'rejected'
  reason?: string
  current?: unknown
}

/** Per browser tab: identifies the console as the device in the server's logs. */
const deviceId = (() => {
  const k = 'anjian.device'
  let id = sessionStorage.getItem(k)
  if (!id) {
    id = `console-${crypto.randomUUID()}`
    sessionStorage.setItem(k, id)
  }
  return id
})()

export async function pushOne(entity: string, entityId: string, op: string, payload: unknown): Promise<OpResult> {
  const body = {
    protocol: 1,
    device_id: deviceId,
    ops: [
      {
        op_id: crypto.randomUUID(),
        entity,
        entity_id: entityId,
        op,
        payload,
        device_time: new Date().toISOString(),
      },
    ],
  }
  const resp = await postJson<{ results: OpResult[] }>('/v1/sync/push', body)
  const r = resp.results[0]
  if (!r) throw new ApiError(500, '服务器没有返回结果')
  if (r.status === 'rejected') throw new ApiError(409, r.reason ?? '操作被拒绝', r)
  return r
}

export type HazardAction =
  | { type: 'assign'; unit_id: string; deadline: string }
  | { type: 'start_rectification' }
  | { type: 'verify'; note: string | null }
  | { type: 'reject'; reason: string }
  | { type: 'reclassify'; level: 'general' | 'major'; reason: string }
  | { type: 'update_plan'; plan: Record<string, unknown> }
  | { type: 'set_hardware_plan'; plan: string }
  | { type: 'set_temporary_measures'; measures: string }
  | { type: 'accept_referral' }

/** The status an action leads to, as the phone states it in its event. */
function targetStatus(action: HazardAction, from: string): string {
  switch (action.type) {
    case 'assign':
      return 'assigned'
    case 'start_rectification':
    case 'reject':
      return 'rectifying'
    case 'verify':
      return 'closed'
    default:
      return from
  }
}

export interface HazardLike {
  id: string
  status: string
  version: number
}

export async function actOnHazard(h: HazardLike, action: HazardAction): Promise<OpResult> {
  const me = session.current?.me
  if (!me) throw new ApiError(401, '请先登录')
  const event = {
    id: '',
    hazard_id: h.id,
    action,
    actor: { person_id: me.person.id, name: me.person.name, unit_id: me.person.unit_id, roles: me.person.roles },
    at: new Date().toISOString(),
    from: h.status,
    to: targetStatus(action, h.status),
    version: h.version,
  }
  return pushOne('hazard', h.id, 'transition', event)
}
