// A type map: how to turn one class into another, property by property. Built
// once per (source, destination) pair by `Mapper.createTypeMap`.

export type Resolver<S> = (source: S) => unknown;

export class PropertyMap<S> {
  readonly destination: string;
  readonly resolve: Resolver<S>;

  constructor(destination: string, resolve: Resolver<S>) {
    this.destination = destination;
    this.resolve = resolve;
  }
}

export class TypeMap<S, D> {
  readonly id: string;
  readonly sourceName: string;
  readonly destinationName: string;
  readonly createdAt: Date;
  readonly properties: PropertyMap<S>[] = [];
  private readonly _construct: () => D;

  constructor(id: string, sourceName: string, destinationName: string, construct: () => D) {
    this.id = id;
    this.sourceName = sourceName;
    this.destinationName = destinationName;
    this.createdAt = new Date();
    this._construct = construct;
  }

  forMember(destination: string, resolve: Resolver<S>): this {
    this.properties.push(new PropertyMap(destination, resolve));
    return this;
  }

  map(source: S): D {
    const target = this._construct() as Record<string, unknown>;
    for (const property of this.properties) target[property.destination] = property.resolve(source);
    return target as D;
  }
}
