// A small object mapper in the style of AutoMapper / ModelMapper: the library
// keeps every type map it creates in a process-wide registry so any mapper can
// look them up. That registry is what leaks when a mapper is built per call.
import { TypeMap } from './type-map.js';

/**
 * Process-wide: lives as long as the module, i.e. forever. Module-private on
 * purpose, like in most mapper libraries: users only see `createTypeMap`.
 */
const typeMapRegistry = new Map<string, TypeMap<unknown, unknown>>();

/** How many type maps the registry holds (for tests and diagnostics). */
export function registeredTypeMapCount(): number {
  return typeMapRegistry.size;
}

/** Every registered type map, oldest first. */
export function registeredTypeMaps(): TypeMap<unknown, unknown>[] {
  return [...typeMapRegistry.values()];
}

let nextMapperId = 1;

export class Mapper {
  readonly id = nextMapperId++;

  /** Registers a type map for `sourceName -> destinationName` under this mapper. */
  createTypeMap<S, D>(sourceName: string, destinationName: string, construct: () => D): TypeMap<S, D> {
    const key = `mapper#${this.id}:${sourceName}->${destinationName}`;
    const typeMap = new TypeMap<S, D>(key, sourceName, destinationName, construct);
    typeMapRegistry.set(key, typeMap as TypeMap<unknown, unknown>);
    return typeMap;
  }

  map<S, D>(typeMap: TypeMap<S, D>, source: S): D {
    return typeMap.map(source);
  }
}

export function createMapper(): Mapper {
  return new Mapper();
}
