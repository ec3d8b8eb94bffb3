// The few WebAssembly globals Node provides that we use; TypeScript declares them only in
// lib.dom, which clashes with tfjs's @webgpu/types under TS 7.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: object);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(deltaPages: number): number;
  }
}
