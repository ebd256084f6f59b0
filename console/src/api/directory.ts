// Names of units, people and sites, loaded once per sign-in and shared by every page.
import { reactive } from 'vue'
import { getJson } from './client'

import type { Schemas } from './client'

// Generated from the server's /openapi.json (npm run gen:api).
export type Unit = Schemas['Unit']
export type Person = Schemas['Person']
export type Site = Schemas['Site']
export type ChecklistSummary = Schemas['ChecklistSummary']

export const dir = reactive<{ units: Unit[]; people: Person[]; checklists: ChecklistSummary[] }>({ units: [], people: [], checklists: [] })

export async function loadUnits() {
  if (dir.units.length === 0) dir.units = await getJson<Unit[]>('/v1/units')
  if (dir.checklists.length === 0) dir.checklists = await getJson<ChecklistSummary[]>('/v1/checklists')
  return dir.units
}

export async function loadPeople(force = false) {
  if (force || dir.people.length === 0) dir.people = await getJson<Person[]>('/v1/people')
  return dir.people
}

export function unitLabel(id: string | null | undefined): string {
  if (!id) return ''
  return dir.units.find((u) => u.id === id)?.name ?? id
}

/// The site attributes (场所属性) an industry's checklist declares.
export function industryConditions(code: string | null | undefined): { code: string; label: string }[] {
  return dir.checklists.find((c) => c.code === code)?.conditions ?? []
}

/// A site's attributes as users say them.
export function attributeLabels(industry: string, codes: string[] | null | undefined): string[] {
  const known = industryConditions(industry)
  return (codes ?? []).map((a) => known.find((c) => c.code === a)?.label ?? a)
}

export function industryLabel(code: string | null | undefined): string {
  if (!code) return ''
  return dir.checklists.find((c) => c.code === code)?.name ?? code
}

export const unitKinds: Record<string, string> = {
  county_government: '县政府',
  safety_committee_office: '县安委办',
  supervision_office: '县政府督查办',
  township: '乡镇（街道）',
  department: '行业部门',
  third_party_institution: '第三方专业机构',
}

export const roleLabels: Record<string, string> = {
  county_head: '县政府主要领导',
  county_deputy_head: '县政府分管领导',
  county_other_leader: '县政府其他领导',
  safety_office_staff: '县安委办工作人员',
  supervision_staff: '县政府督查办工作人员',
  unit_head: '主要负责人',
  unit_deputy_head: '分管负责人',
  patrol_member: '工作专班成员',
  inspector: '检查人员',
  third_party_assessor: '第三方专业机构人员',
  expert: '专家',
  site_contact: '场所安全联系人',
}

export const inspectionKinds: Record<string, string> = {
  leader_supervision: '督查',
  routine_check: '排查',
  unannounced_patrol: '暗访',
  random_check: '抽查',
  professional_assessment: '专业评估',
}

export const statusLabels: Record<string, string> = {
  registered: '已登记',
  assigned: '已交办',
  rectifying: '整改中',
  submitted: '待验收',
  closed: '已销号',
}

export function townships() {
  return dir.units.filter((u) => u.kind === 'township')
}
export function departments() {
  return dir.units.filter((u) => u.kind === 'department')
}

export function isCountyLevel(me: { county_level: boolean } | undefined) {
  return !!me?.county_level
}

export function fmtTime(s: string | null | undefined): string {
  if (!s) return ''
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return s
  return d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
}

export function thisMonth(): string {
  const d = new Date(Date.now() + 8 * 3600_000)
  return d.toISOString().slice(0, 7)
}
