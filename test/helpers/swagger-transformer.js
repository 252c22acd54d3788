// Adapts the @nestjs/swagger compiler plugin to ts-jest's AST transformer interface.
const plugin = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (tsCompiler, options) =>
  plugin.before(
    options ?? { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts', '.entity.ts', '.responses.ts'] },
    tsCompiler.program,
  );
