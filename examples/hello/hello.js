// nodejs:20 action: {"name": "Ada"} -> {"greeting": "Hello, Ada!"}
function main(params) {
  const name = params.name === undefined ? 'World' : params.name;
  return { greeting: 'Hello, ' + name + '!' };
}
