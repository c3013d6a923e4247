// swagger2openapi ships no types; this is the part of its API that convert.ts uses.
declare module 'swagger2openapi' {
  interface ConvertOptions {
    patch?: boolean;
    warnOnly?: boolean;
    resolve?: boolean;
    anchors?: boolean;
    direct?: boolean;
  }
  const swagger2openapi: {
    convertObj(swagger: object, options: ConvertOptions): Promise<unknown>;
  };
  export default swagger2openapi;
}
