// One swc configuration for the build and for Jest, so tests run exactly the code the services run.
// Legacy decorators with metadata: NestJS resolves constructor injection from `design:paramtypes`.
export const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: true,
};
