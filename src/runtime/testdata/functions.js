// nodejs:20 test actions; entry points mirror functions.cc. main is a plain top-level
// declaration (as in most OpenWhisk node actions); the rest are exports.
function main(args) {
  if ('delimiter' in args) {
    const d = args.delimiter;
    const winter = `${d} \u2603 ${d}`;
    console.log(winter);
    console.error(winter);
    return { winter };
  }
  console.log('hello stdout');
  console.error('hello stderr');
  return args;
}

exports.niam = async function (args) {
  return new Promise((resolve) => setTimeout(() => resolve({ greeting: 'niam' }), 1));
};

exports.not_dict = () => 'a string';

exports.env = () => {
  const out = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('__OW_') || k === 'SOME_VAR' || k === 'ANOTHER_VAR') out[k] = v;
  }
  return out;
};

exports.raise_error = () => { throw new Error('nope'); };

exports.crash = () => process.exit(3);

exports.sleep = (args) =>
  new Promise((resolve) => setTimeout(() => resolve({ slept: true }), (args.seconds || 5) * 1000));
