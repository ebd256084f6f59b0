// Uploads evidence to a running anjian server with tus-js-client under Node, aborting the
// upload mid-way and resuming it from the server's offset.
//   node tus_js_resume.mjs BASE_URL TOKEN
import { createHash, randomBytes } from 'node:crypto';
import * as tus from 'tus-js-client';

const [base, token] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };
const data = randomBytes(2 * 1024 * 1024 + 777);
const sha = createHash('sha256').update(data).digest('hex');

function start(options) {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint: `${base}/v1/uploads`,
      headers,
      chunkSize: 256 * 1024,
      metadata: { sha256: sha, filename: '整改中照片.jpg' },
      retryDelays: null,
      ...options,
      onError: reject,
      onSuccess: () => resolve({ upload, done: true }),
    });
    upload.start();
    if (options.abortAfter) {
      const check = setInterval(() => {
        if (upload._offset >= options.abortAfter) {
          clearInterval(check);
          upload.abort().then(() => resolve({ upload, done: false }));
        }
      }, 1);
    }
  });
}

const first = await start({ abortAfter: 512 * 1024 });
if (first.done) throw new Error('upload finished before it could be interrupted');
const url = first.upload.url;
const head = await fetch(url, { method: 'HEAD', headers: { ...headers, 'Tus-Resumable': '1.0.0' } });
const offset = Number(head.headers.get('upload-offset'));
if (!(offset > 0 && offset < data.length)) throw new Error(`unexpected offset ${offset}`);

const second = await start({ uploadUrl: url });
if (!second.done) throw new Error('resume did not finish');
const blob = await fetch(`${base}/v1/blobs/${sha}`, { headers });
if (blob.status !== 200) throw new Error(`blob status ${blob.status}`);
const got = Buffer.from(await blob.arrayBuffer());
if (createHash('sha256').update(got).digest('hex') !== sha) throw new Error('stored bytes differ');
console.log(`tus-js-client: aborted at ${offset} bytes, resumed, ${data.length} bytes stored as ${sha.slice(0, 12)}…`);
