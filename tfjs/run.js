// Runs a TF.js graph model that tfxc wrote, on inputs given as JSON, and
// prints its outputs as JSON. Usage: node run.js MODEL_DIR FEEDS.json
//
// FEEDS.json: {"inputs": {"name": {"dtype": "float32|int32|bool|string",
// "shape": [..], "values": [..]}}, "outputs": ["name", ...]}
// Output: {"name": {"dtype": .., "shape": [..], "values": [..]}}, with NaN
// and infinities written as the strings "NaN", "Infinity", "-Infinity".
//
// The model is read from disk by a small IOHandler: no network, no native
// addon, the pure-JS CPU backend.
'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfconv = require('@tensorflow/tfjs-converter');

function diskHandler(dir) {
  return {
    async load() {
      const modelJSON = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = [];
        const buffers = [];
        for (const group of manifest) {
          for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
          specs.push(...group.weights);
        }
        const all = Buffer.concat(buffers);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
      });
    },
  };
}

function special(v) {
  if (typeof v !== 'number' || Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? 'Infinity' : '-Infinity';
}

async function main() {
  const [dir, feedsPath] = process.argv.slice(2);
  if (!dir || !feedsPath) {
    throw new Error('usage: node run.js MODEL_DIR FEEDS.json');
  }
  await tf.setBackend('cpu');
  const model = await tfconv.loadGraphModel(diskHandler(dir));
  const feeds = JSON.parse(fs.readFileSync(feedsPath, 'utf8'));
  const inputs = {};
  for (const [name, t] of Object.entries(feeds.inputs)) {
    inputs[name] = tf.tensor(t.values, t.shape, t.dtype);
  }
  const outs = await model.executeAsync(inputs, feeds.outputs);
  const list = Array.isArray(outs) ? outs : [outs];
  const result = {};
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    const values = Array.from(await t.data(), special);
    result[feeds.outputs[i]] = { dtype: t.dtype, shape: t.shape, values };
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
