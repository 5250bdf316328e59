// The domain: a stored price row and the API's view of it.
import { createMapper, type Mapper } from './mapper/mapper.js';
import type { TypeMap } from './mapper/type-map.js';

export class DevicePriceEntity {
  constructor(
    readonly deviceId: number,
    readonly modelName: string,
    readonly priceCents: number,
    readonly currency: string,
    readonly updatedAt: Date,
  ) {}
}

export class DevicePrice {
  deviceId = 0;
  model = '';
  price = '';
  currency = '';
  updated = '';
}

/** The mapping configuration the route needs. */
export function configureDevicePriceMapper(mapper: Mapper): TypeMap<DevicePriceEntity, DevicePrice> {
  return mapper
    .createTypeMap<DevicePriceEntity, DevicePrice>('DevicePriceEntity', 'DevicePrice', () => new DevicePrice())
    .forMember('deviceId', (e) => e.deviceId)
    .forMember('model', (e) => e.modelName)
    .forMember('price', (e) => (e.priceCents / 100).toFixed(2))
    .forMember('currency', (e) => e.currency)
    .forMember('updated', (e) => e.updatedAt.toISOString());
}

/** The incident: a new mapper, and so a new registered type map, on every call. */
export function toDevicePricePerCall(entity: DevicePriceEntity): DevicePrice {
  const mapper = createMapper();
  const typeMap = configureDevicePriceMapper(mapper);
  return mapper.map(typeMap, entity);
}

/** The fix: one mapper and one type map for the whole process. */
const sharedMapper = createMapper();
const sharedTypeMap = configureDevicePriceMapper(sharedMapper);

export function toDevicePriceShared(entity: DevicePriceEntity): DevicePrice {
  return sharedMapper.map(sharedTypeMap, entity);
}

export function loadDevicePrice(deviceId: number): DevicePriceEntity {
  // Stands in for the database read; deterministic so responses can be checked.
  return new DevicePriceEntity(deviceId, `model-${deviceId % 97}`, 19_900 + (deviceId % 50) * 100, 'KRW', new Date(Date.UTC(2024, 0, 1 + (deviceId % 28))));
}
