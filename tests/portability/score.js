// Scores an ONNX model with ONNX Runtime for Node.js: node score.js MODEL INPUT_JSON
// INPUT_JSON holds {"name": "...", "shape": [...], "data": [...]}; prints the first output's values as JSON.
const fs = require('node:fs');
const ort = require('onnxruntime-node');

(async () => {
  const [modelPath, inputPath] = process.argv.slice(2);
  const input = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
  const session = await ort.InferenceSession.create(modelPath);
  const feeds = { [input.name]: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) };
  const results = await session.run(feeds);
  process.stdout.write(JSON.stringify(Array.from(results[session.outputNames[0]].data)));
})().catch(error => { console.error(error.message); process.exit(1); });
