// The bell: my unread reminders, refreshed on sign-in, every two minutes and after marking.
import { reactive } from 'vue'
import { getJson, session, type Schemas } from './client'

export const bell = reactive<{ unread: number; items: Schemas['InAppReminder'][] }>({ unread: 0, items: [] })

export async function refreshBell(): Promise<void> {
  if (!session.current) return
  const r = await getJson<Schemas['MyReminders']>('/v1/reminders')
  bell.unread = r.unread
  bell.items = r.items
}
