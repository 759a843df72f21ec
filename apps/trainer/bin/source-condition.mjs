// Resolves the workspace packages (@sr/model, @sr/metrics) to their TypeScript sources through their "@sr/source"
// export condition, whatever the working directory; without it, Node would pick their built dist/.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, '@sr/source'] });
}
