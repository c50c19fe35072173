// Step 2: {"words": [...]} -> {"words": [...upper-cased]}
function main(params) {
  return { words: (params.words || []).map((w) => String(w).toUpperCase()) };
}
