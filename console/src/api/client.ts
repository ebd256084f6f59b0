// The console's only way to the server: the bearer token lives in memory and sessionStorage
// (never in a URL); a 401 signs the user out; files are fetched with the header and handed to
// the browser as object URLs.
import { reactive } from 'vue'
import type { components } from './schema'

export type Schemas = components['schemas']
export type LoginResponse = Schemas['LoginResponse']
export type Me = Schemas['Me']

const KEY = 'anjian.session'

interface Session {
  token: string
  expiresAt: string
  me: Me
}

export const session = reactive<{ current: Session | null; notice: string }>({
  current: null,
  notice: '',
})

let expiryTimer: number | undefined

function scheduleExpiry() {
  window.clearTimeout(expiryTimer)
  const s = session.current
  if (!s) return
  const ms = new Date(s.expiresAt).getTime() - Date.now()
  if (ms <= 0) {
    signedOut('登录已过期，请重新登录')
    return
  }
  // setTimeout's limit is about 24.8 days.
  expiryTimer = window.setTimeout(() => signedOut('登录已过期，请重新登录'), Math.min(ms, 2 ** 31 - 1))
}

export function restoreSession() {
  try {
    const raw = sessionStorage.getItem(KEY)
    if (raw) {
      session.current = JSON.parse(raw) as Session
      scheduleExpiry()
    }
  } catch {
    sessionStorage.removeItem(KEY)
  }
}

let onSignedOut: (() => void) | null = null
export function whenSignedOut(f: () => void) {
  onSignedOut = f
}

function signedOut(notice: string) {
  session.current = null
  session.notice = notice
  sessionStorage.removeItem(KEY)
  window.clearTimeout(expiryTimer)
  onSignedOut?.()
}

/** An error from the server, with its Chinese message. */
export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
    public body?: unknown,
  ) {
    super(message)
  }
}

type Query = Record<string, string | number | boolean | undefined | null>

function url(path: string, query?: Query): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '' || v === false) continue
    q.set(k, String(v))
  }
  const s = q.toString()
  return s ? `${path}?${s}` : path
}

async function request(method: string, path: string, init: { query?: Query; body?: BodyInit; type?: string } = {}) {
  const headers: Record<string, string> = {}
  if (session.current) headers.Authorization = `Bearer ${session.current.token}`
  if (init.type) headers['Content-Type'] = init.type
  let resp: Response
  try {
    resp = await fetch(url(path, init.query), { method, headers, body: init.body })
  } catch {
    throw new ApiError(0, '无法连接服务器，请检查网络')
  }
  if (resp.status === 401 && session.current && !path.startsWith('/v1/auth/login')) {
    signedOut('登录已过期或已在别处退出，请重新登录')
    throw new ApiError(401, '登录已过期，请重新登录')
  }
  if (!resp.ok) {
    let message = `请求失败（${resp.status}）`
    let body: unknown
    try {
      body = await resp.json()
      const b = body as { error?: { message?: string }; message?: string }
      message = b.error?.message ?? b.message ?? message
    } catch {
      /* not JSON */
    }
    throw new ApiError(resp.status, message, body)
  }
  return resp
}

export async function getJson<T>(path: string, query?: Query): Promise<T> {
  return (await request('GET', path, { query })).json() as Promise<T>
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const resp = await request('POST', path, { body: JSON.stringify(body), type: 'application/json' })
  return resp.status === 204 ? (undefined as T) : (resp.json() as Promise<T>)
}

export async function putJson<T>(path: string, body: unknown): Promise<T> {
  const resp = await request('PUT', path, { body: JSON.stringify(body), type: 'application/json' })
  return resp.status === 204 ? (undefined as T) : (resp.json() as Promise<T>)
}

export async function deleteJson(path: string): Promise<void> {
  await request('DELETE', path)
}

/** Uploads a file as the request body (its name in the query); the server's answer as JSON. */
export async function postFile<T>(path: string, file: File): Promise<T> {
  const resp = await request('POST', path, { query: { name: file.name }, body: file, type: file.type || 'application/octet-stream' })
  return resp.json() as Promise<T>
}

export async function postRaw<T>(path: string, body: Blob | ArrayBuffer | string, type: string): Promise<{ status: number; body: T }> {
  // Import endpoints answer 422 with a report of every bad row: return it rather than throw.
  const headers: Record<string, string> = { 'Content-Type': type }
  if (session.current) headers.Authorization = `Bearer ${session.current.token}`
  const resp = await fetch(path, { method: 'POST', headers, body })
  if (resp.status === 401 && session.current) {
    signedOut('登录已过期，请重新登录')
    throw new ApiError(401, '登录已过期，请重新登录')
  }
  const text = await resp.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    /* keep text */
  }
  if (!resp.ok && resp.status !== 422) {
    const b = parsed as { error?: { message?: string } }
    throw new ApiError(resp.status, b?.error?.message ?? `请求失败（${resp.status}）`, parsed)
  }
  return { status: resp.status, body: parsed as T }
}

/** A file from the server as an object URL (the caller revokes it). */
export async function blobUrl(path: string, query?: Query): Promise<string> {
  const resp = await request('GET', path, { query })
  return URL.createObjectURL(await resp.blob())
}

/** Downloads a file with the Authorization header and saves it under the server's name. */
export async function download(path: string, query?: Query, fallbackName = 'download'): Promise<void> {
  const resp = await request('GET', path, { query })
  const cd = resp.headers.get('Content-Disposition') ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
  const plain = /filename="([^"]+)"/i.exec(cd)
  const name = star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallbackName
  const href = URL.createObjectURL(await resp.blob())
  const a = document.createElement('a')
  a.href = href
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  window.setTimeout(() => URL.revokeObjectURL(href), 10_000)
}

/** Signs in with what the server answered to a login (password or unified identity). */
async function adopt(r: LoginResponse): Promise<void> {
  session.current = { token: r.token, expiresAt: r.expires_at, me: undefined as unknown as Me }
  const me = await getJson<Me>('/v1/me')
  session.current = { token: r.token, expiresAt: r.expires_at, me }
  session.notice = ''
  sessionStorage.setItem(KEY, JSON.stringify(session.current))
  scheduleExpiry()
}

export async function login(username: string, password: string): Promise<void> {
  const resp = await request('POST', '/v1/auth/login', {
    body: JSON.stringify({ username, password }),
    type: 'application/json',
  })
  await adopt((await resp.json()) as LoginResponse)
}

// A sign-in through the unified identity provider in progress: its secret handle and where to
// go after, kept in this tab only (never in a URL).
const PENDING = 'anjian.identity'

/** Starts a sign-in through the unified identity provider: the browser leaves for it. */
export async function startIdentityLogin(next: string): Promise<void> {
  const r = await postJson<Schemas['IdentityStarted']>('/v1/auth/oidc/start', { client: 'console' })
  sessionStorage.setItem(PENDING, JSON.stringify({ handle: r.handle, next }))
  window.location.assign(r.authorize_url)
}

/** Finishes it with the provider's answer; where to go next. */
export async function finishIdentityLogin(code: string, state: string): Promise<string> {
  const raw = sessionStorage.getItem(PENDING)
  sessionStorage.removeItem(PENDING)
  if (!raw) throw new ApiError(401, '登录已失效，请重新点击统一身份认证登录')
  const pending = JSON.parse(raw) as { handle: string; next: string }
  const resp = await request('POST', '/v1/auth/oidc/finish', {
    body: JSON.stringify({ handle: pending.handle, code, state }),
    type: 'application/json',
  })
  await adopt((await resp.json()) as LoginResponse)
  return pending.next.startsWith('/') && !pending.next.startsWith('//') ? pending.next : '/'
}

export async function logout(): Promise<void> {
  try {
    await request('POST', '/v1/auth/logout')
  } catch {
    /* signed out locally either way */
  }
  signedOut('已退出登录')
}
