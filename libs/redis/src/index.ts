export { RedisModule, RedisHealthCheck, REDIS, createRedis } from './redis.module.js';
export type { Redis } from 'ioredis';
