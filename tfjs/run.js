// Runs a TF.js graph model that tfxc wrote (codegen/tfjs.Write) on
// inputs given as JSON, and prints its outputs as JSON on stdout.
//
//   node run.js MODEL_DIR [FEEDS.json | -]      (no file or "-": stdin)
//
// FEEDS: {"inputs": {"name": {"dtype": "float32|int32|bool|string",
//                             "shape": [..], "values": [..]}},
//         "outputs": ["name", ...]}
// Inputs and outputs are named by signature key or by tensor name ("x",
// "x:0"). "int64" and "float64" feeds are accepted and given to TF.js as
// int32 and float32, which is how TF.js computes them; an int64 value outside
// int32 is an error, not a silent wrap. Float values may be the strings
// "NaN", "Infinity" and "-Infinity". Without "outputs", the model's default
// outputs (its signature's) are computed.
//
// Output: {"name": {"dtype": .., "shape": [..], "values": [..]}}: numbers,
// booleans for bool, strings for string; NaN and infinities as the strings
// above. Errors go to stderr with exit status 1.
//
// The model is read from disk by a small IOHandler (no network, no native
// addon) and run on the pure-JS CPU backend with executeAsync, which graphs
// with hash tables need (GraphModel.execute refuses them).
'use strict';

// TF.js and its backends may log to stdout; keep stdout for the result.
console.log = console.error;
console.info = console.error;

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfconv = require('@tensorflow/tfjs-converter');

// diskHandler loads model.json and its weight files from dir. The weight
// files of all groups are concatenated in manifest order, as TF.js's own
// http and file handlers do.
function diskHandler(dir) {
  const inside = (p) => {
    const full = path.resolve(dir, p);
    if (path.relative(path.resolve(dir), full).startsWith('..')) {
      throw new Error(`weights path ${p} leaves the model folder`);
    }
    return full;
  };
  return {
    async load() {
      const modelJSON = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = [];
        const buffers = [];
        for (const group of manifest) {
          for (const p of group.paths) buffers.push(fs.readFileSync(inside(p)));
          specs.push(...group.weights);
        }
        const all = Buffer.concat(buffers);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
      });
    },
  };
}

const SPECIAL = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function toTensor(name, t) {
  if (!t || !Array.isArray(t.values) || !Array.isArray(t.shape)) {
    throw new Error(`input ${name}: want {"dtype", "shape", "values"}`);
  }
  let dtype = t.dtype;
  let values = t.values;
  switch (dtype) {
    case 'float64':
    case 'float32':
      dtype = 'float32';
      values = values.map((v) => (typeof v === 'string' && v in SPECIAL ? SPECIAL[v] : v));
      for (const v of values) {
        if (typeof v !== 'number') throw new Error(`input ${name}: ${JSON.stringify(v)} is not a number`);
      }
      break;
    case 'int64':
    case 'int32':
      dtype = 'int32';
      for (const v of values) {
        if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
          throw new Error(`input ${name}: ${JSON.stringify(v)} is not an int32, the width in which TF.js computes ${t.dtype}`);
        }
      }
      break;
    case 'bool':
      values = values.map((v) => v === true || v === 1);
      break;
    case 'string':
      for (const v of values) {
        if (typeof v !== 'string') throw new Error(`input ${name}: ${JSON.stringify(v)} is not a string`);
      }
      break;
    default:
      throw new Error(`input ${name}: unsupported dtype ${JSON.stringify(dtype)}`);
  }
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (size !== values.length) {
    throw new Error(`input ${name}: shape [${t.shape}] holds ${size} values, got ${values.length}`);
  }
  return tf.tensor(values, t.shape, dtype);
}

function special(v) {
  if (typeof v !== 'number' || Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? 'Infinity' : '-Infinity';
}

async function fromTensor(t) {
  const data = Array.from(await t.data());
  const values = t.dtype === 'bool' ? data.map((v) => v !== 0) : data.map(special);
  return { dtype: t.dtype, shape: t.shape, values };
}

async function main() {
  const [dir, feedsPath] = process.argv.slice(2);
  if (!dir) {
    throw new Error('usage: node run.js MODEL_DIR [FEEDS.json | -]');
  }
  const text = !feedsPath || feedsPath === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(feedsPath, 'utf8');
  const feeds = JSON.parse(text);
  await tf.setBackend('cpu');
  const model = await tfconv.loadGraphModel(diskHandler(dir));
  const inputs = {};
  for (const [name, t] of Object.entries(feeds.inputs || {})) {
    inputs[name] = toTensor(name, t);
  }
  const names = feeds.outputs && feeds.outputs.length > 0 ? feeds.outputs : model.outputNodes;
  let outs = await model.executeAsync(inputs, names);
  if (!Array.isArray(outs)) outs = [outs];
  const result = {};
  for (let i = 0; i < names.length; i++) {
    result[names[i]] = await fromTensor(outs[i]);
  }
  tf.dispose(outs);
  tf.dispose(Object.values(inputs));
  model.dispose();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
