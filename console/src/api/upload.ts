// Files attached from the console go the phone's way: the bytes through the server's tus
// endpoint (POST /v1/uploads with the file's SHA-256 declared; the server hashes what it
// received and refuses a mismatch), then an evidence record through the one apply path
// (POST /v1/sync/push, `evidence`/`attach`), checked by the same policy as a phone's.
import { ApiError, session, type Schemas } from './client'
import { pushOne } from './ops'

/** The largest file the console sends (the server's own limit is higher). */
export const MAX_ATTACHMENT = 20 * 1024 * 1024

type Target = Schemas['EvidenceTarget']

/** Lower-case hex SHA-256 of the bytes (Web Crypto: HTTPS or the local machine only). */
async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  if (!globalThis.crypto?.subtle) throw new ApiError(0, '浏览器无法计算文件校验值：请通过 HTTPS 访问控制台后再上传')
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)))

async function tus(method: string, path: string, headers: Record<string, string>, body?: ArrayBuffer): Promise<Response> {
  const h: Record<string, string> = { 'Tus-Resumable': '1.0.0', ...headers }
  if (session.current) h.Authorization = `Bearer ${session.current.token}`
  const resp = await fetch(path, { method, headers: h, body })
  if (!resp.ok) {
    let message = `上传失败（${resp.status}）`
    try {
      const b = (await resp.json()) as { error?: { message?: string } }
      message = b.error?.message ?? message
    } catch {
      /* not JSON */
    }
    throw new ApiError(resp.status, message)
  }
  return resp
}

/** Sends the file's bytes; resolves to its SHA-256 once the server has checked and kept it. */
export async function uploadBytes(file: File): Promise<string> {
  if (file.size === 0) throw new ApiError(0, `文件“${file.name}”是空的`)
  if (file.size > MAX_ATTACHMENT) throw new ApiError(0, `文件“${file.name}”过大（最多 ${MAX_ATTACHMENT / 1024 / 1024} MB）`)
  const bytes = await file.arrayBuffer()
  const sha = await sha256Hex(bytes)
  const meta = `sha256 ${b64(sha)},filename ${b64(file.name)}`
  // creation-with-upload: the whole file in the first request; the rest by PATCH if the
  // server kept only part of it.
  const created = await tus('POST', '/v1/uploads', { 'Upload-Length': String(file.size), 'Upload-Metadata': meta, 'Content-Type': 'application/offset+octet-stream' }, bytes)
  let offset = Number(created.headers.get('Upload-Offset') ?? '0')
  const location = created.headers.get('Location')
  while (offset < file.size) {
    if (!location) throw new ApiError(0, '服务器没有返回上传地址')
    const sent = await tus('PATCH', location, { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' }, bytes.slice(offset))
    const next = Number(sent.headers.get('Upload-Offset') ?? offset)
    if (next <= offset) throw new ApiError(0, '上传没有进展，请重试')
    offset = next
  }
  return sha
}

/** Uploads `file` and records it as a document of `target`; resolves to the evidence id. */
export async function attachFile(file: File, target: Target): Promise<string> {
  const me = session.current?.me
  if (!me) throw new ApiError(401, '请先登录')
  const sha256 = await uploadBytes(file)
  const id = crypto.randomUUID()
  const record: Schemas['EvidenceRecord'] = {
    id,
    sha256,
    kind: 'other_document',
    content_type: file.type || 'application/octet-stream',
    size: file.size,
    target,
    stage: 'none',
    captured_at: new Date().toISOString(),
    captured_by: me.person.id,
    taken_at: null,
    lat: null,
    lon: null,
    accuracy_m: null,
    flags: [],
    notes: [],
    amount_fen: null,
    document_date: null,
    upload_sha256: null,
    thumb_sha256: null,
  }
  await pushOne('evidence', id, 'attach', record)
  return id
}

const extensions: Record<string, string> = {
  'application/pdf': '.pdf',
  'application/msword': '.doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.ms-excel': '.xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'text/plain': '.txt',
}

/** A name to save an attached file under: `stem` and the extension of its type. */
export function attachmentName(stem: string, file: Schemas['AttachedFile'], n: number): string {
  return `${stem}${n > 0 ? `-${n + 1}` : ''}${extensions[file.content_type] ?? ''}`
}
