// Latency and session memory of ONNX models in ONNX Runtime for Node.js, relative to the first (the original):
//   node measure.js ORIGINAL.onnx COMPRESSED.onnx... [--batch 1,64] [--rounds 50]
// Latency: every model run in turn on the same zero input, round after round (so a machine getting busier or quieter
// affects all alike), median per model and batch. Session memory: peak RSS (VmHWM) of a child process that loads the
// model and scores one batch of 1, minus that of the same child scoring a one-node model (Identity, no weights),
// median of 3 children each — the same measure as the .NET benchmark's --memory.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const ort = require('onnxruntime-node');

function peakRss() {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find(l => l.startsWith('VmHWM:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}

function zeroInput(session, batch) {
  const meta = session.inputMetadata?.[0];
  const dims = (meta?.shape ?? []).map((d, i) => (i === 0 ? batch : typeof d === 'number' && d > 0 ? d : 1));
  const size = dims.reduce((a, b) => a * b, 1);
  return { [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(size), dims) };
}

// A model of one Identity node on a float tensor of any shape, written as protobuf by hand (ModelProto: IR 7, opset 13).
function identityModel() {
  const varint = n => { const bytes = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; bytes.push(b); } while (n); return Buffer.from(bytes); };
  const field = (number, value) => typeof value === 'number'
    ? Buffer.concat([varint(number << 3), varint(value)])
    : Buffer.concat([varint((number << 3) | 2), varint(Buffer.byteLength(value)), Buffer.from(value)]);
  const floatTensor = name => Buffer.concat([field(1, name), field(2, field(1, field(1, 1)))]);
  const node = Buffer.concat([field(1, 'x'), field(2, 'y'), field(4, 'Identity')]);
  const graph = Buffer.concat([field(1, node), field(2, 'baseline'), field(11, floatTensor('x')), field(12, floatTensor('y'))]);
  return Buffer.concat([field(1, 7), field(7, graph), field(8, Buffer.concat([field(1, ''), field(2, 13)]))]);
}

// The child's work: score one zero batch of 1 (of the given dims for the baseline, whose input has no shape).
async function scoreOnce(model, dims) {
  const session = await ort.InferenceSession.create(model);
  const feeds = dims ? { [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims) } : zeroInput(session, 1);
  await session.run(feeds);
  process.stdout.write(String(peakRss()));
}

function childPeak(model, dims) {
  const runs = [0, 1, 2].map(() => Number(execFileSync(process.execPath, [__filename, '--score-once', model, ...(dims ? [JSON.stringify(dims)] : [])]).toString()));
  return runs.sort((a, b) => a - b)[1];
}

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(args) {
  if (args[0] === '--score-once') return scoreOnce(args[1], args[2] && JSON.parse(args[2]));
  const option = (name, fallback) => { const i = args.indexOf(name); return i < 0 ? fallback : args.splice(i, 2)[1]; };
  const batches = option('--batch', '1,64').split(',').map(Number);
  const rounds = Number(option('--rounds', '50'));
  const models = args;
  if (models.length < 2) throw new Error('usage: node measure.js ORIGINAL.onnx COMPRESSED.onnx... [--batch 1,64] [--rounds 50]');
  const sessions = await Promise.all(models.map(m => ort.InferenceSession.create(m)));
  console.log(`onnxruntime-node ${require('onnxruntime-node/package.json').version}; ${rounds} rounds per batch size; ratios against ${models[0]}`);
  const latency = {};
  for (const batch of batches) {
    const feeds = sessions.map(s => zeroInput(s, batch));
    const times = sessions.map(() => []);
    for (let round = -3; round < rounds; round++) {
      for (let i = 0; i < sessions.length; i++) {
        const start = process.hrtime.bigint();
        await sessions[i].run(feeds[i]);
        if (round >= 0) times[i].push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
    latency[batch] = times.map(median);
  }
  const baseline = require('node:path').join(require('node:os').tmpdir(), `identity-${process.pid}.onnx`);
  fs.writeFileSync(baseline, identityModel());
  let base;
  try { base = childPeak(baseline, Object.values(zeroInput(sessions[0], 1))[0].dims); } finally { fs.rmSync(baseline, { force: true }); }
  const memory = models.map(m => childPeak(m) - base);
  console.log(['model', ...batches.map(b => `batch ${b}`), 'session memory'].join(' | '));
  models.forEach((model, i) => {
    const cells = batches.map(b => `${latency[b][i].toFixed(2)} ms (${(latency[b][i] / latency[b][0]).toFixed(2)}x)`);
    console.log([model, ...cells, `${(memory[i] / 1e6).toFixed(1)} MB (${(memory[i] / memory[0]).toFixed(2)}x)`].join(' | '));
  });
}

main(process.argv.slice(2)).catch(error => { console.error(error.message); process.exit(1); });
