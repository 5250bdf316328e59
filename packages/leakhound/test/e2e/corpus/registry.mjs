// Leak (the mapper incident): every request builds a mapper that registers a
// new TypeMap in a module-level registry, so the registry gains one entry per call.
import { runScenario } from './harness.mjs';

const registry = new Map();

class TypeMap {
  constructor(source, destination, id) {
    this.source = source;
    this.destination = destination;
    this.key = `${source}->${destination}#${id}`;
    this.mappings = [{ from: 'id', to: 'id' }, { from: 'name', to: 'displayName' }];
  }
}

class Mapper {
  createTypeMap(source, destination, id) {
    const typeMap = new TypeMap(source, destination, id);
    registry.set(typeMap.key, typeMap);
    return typeMap;
  }
}

await runScenario((i) => {
  const mapper = new Mapper();
  return mapper.createTypeMap('UserEntity', 'UserDto', i).key.length;
});
