// nodejs:20 no-op action (benchmark baseline): returns {}.
function main(params) {
  return {};
}
