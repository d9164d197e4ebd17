import 'reflect-metadata';
import { NestFactory, Reflector } from '@nestjs/core';
import { Module, type INestApplication, type DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { ConfigError, loadPlatformConfig, type Env, type PlatformConfig } from '@crm/config';
import { AuthGuard, JWT_VERIFIER, JwtVerifier, RedisRevocationList, type VerificationKeys } from '@crm/auth';
import { correlationId, correlationMiddleware, ErrorFilter, serviceUrl } from '@crm/http';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { assertMigrated } from '@crm/migrations';
import { PG_POOL, type DatabaseMigrations, type Pool } from '@crm/postgres';
import { KafkaEventTransport } from '@crm/processing';
import { REDIS, type Redis } from '@crm/redis';
import { AccessDeniedRecorder } from './access-denied.recorder.js';
import { createLogger, NestPinoLogger, type Logger } from '@crm/logging';
import { infrastructureModules, type InfrastructureNeeds } from './infrastructure.js';

export interface ServiceDefinition {
  /** Service name: log field, client ids, its Postgres database. */
  service: string;
  /** Port when `CRM_<SERVICE>_PORT` is unset. */
  defaultPort: number;
  /** The connections it needs; readiness checks exactly these. */
  needs: InfrastructureNeeds;
  /**
   * Its databases and their migrations. `npm run migrate` (and `npm start`) applies them before any service starts;
   * the service itself only refuses to start while one is pending (docs/migrations.md).
   */
  migrations?: (config: PlatformConfig) => DatabaseMigrations[];
  /** The service's own feature modules. */
  module: (config: PlatformConfig) => DynamicModule;
  /**
   * Where access-token signatures are checked against. Default: the identity service's JWKS
   * (`CRM_IDENTITY_URL`, else loopback at `CRM_IDENTITY_PORT`, default 8081); the identity service reads its own key directory.
   */
  verificationKeys?: (config: PlatformConfig) => VerificationKeys;
  /**
   * `json` (default): JSON bodies are parsed (up to 1 MB) before any handler. `stream`: bodies are left unread, for
   * a service that streams them on as received (the gateway).
   */
  bodies?: 'json' | 'stream';
  /** Express-level set-up that must run before any route: trusted proxies, security headers (the gateway). */
  configureHttp?: (app: NestExpressApplication) => void;
  /** Serve OpenAPI at /docs (the gateway does; internal services may too). */
  openApi?: { title: string; description: string };
}

@Module({})
class ServiceRootModule {}

/** Access-token verification for the global guard and for handlers that check a token themselves. */
@Module({})
class VerifierModule {}

/** Largest JSON body any route accepts; bigger requests get 413 PAYLOAD_TOO_LARGE before any handler runs. */
const BODY_LIMIT = '1mb';

/**
 * Builds the Nest application with the platform's conventions, without listening (tests use this directly). The
 * application comes back initialised, with its event consumers running: every `@Projector`/`@Reactor`
 * (`@EventPattern`) handler of its controllers is hosted by the Kafka event transport, connected as a microservice
 * and started once every `onApplicationBootstrap` has run (schemas migrated). `app.close()` stops the consumers
 * before the connections close.
 */
export async function createServiceApp(
  definition: ServiceDefinition,
  config: PlatformConfig,
  logger: Logger = createLogger({ service: config.service, level: config.logLevel }),
): Promise<INestApplication> {
  const keys = definition.verificationKeys?.(config) ?? new URL('/.well-known/jwks.json', serviceUrl('identity'));
  const verifier: DynamicModule = {
    module: VerifierModule,
    global: true,
    providers: [
      { provide: JWT_VERIFIER, inject: [REDIS], useFactory: (redis: Redis) => new JwtVerifier({ keys, revocation: new RedisRevocationList(redis) }) },
    ],
    exports: [JWT_VERIFIER],
  };
  const root: DynamicModule = {
    module: ServiceRootModule,
    // Every service verifies tokens (Redis: revoked sessions) and records denials (Kafka).
    imports: [...infrastructureModules(config, { kafka: 'primary', ...definition.needs, redis: true }), verifier, definition.module(config)],
  };
  const app = await NestFactory.create<NestExpressApplication>(root, {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
  });
  app.disable('x-powered-by');
  definition.configureHttp?.(app);
  if (definition.bodies !== 'stream') app.useBodyParser('json', { limit: BODY_LIMIT });
  app.use(correlationMiddleware);
  app.use(requestLog(logger));
  app.useGlobalFilters(new ErrorFilter(logger));
  // Deny by default: @Public() opens a route, @RequirePermissions(…) states what a signed-in caller needs.
  // Every 403 becomes a PermissionDenied event for the audit trail.
  const kafka = app.get<KafkaCluster>(KAFKA_PRIMARY, { strict: false });
  const recorder = new AccessDeniedRecorder(kafka, logger, definition.service);
  app.useGlobalGuards(
    new AuthGuard(app.get(Reflector), app.get<JwtVerifier>(JWT_VERIFIER), {
      stepUpMaxAgeSeconds: config.stepUpMaxAgeSeconds,
      onDenied: async (denied) => {
        logger.warn({ route: denied.route, reason: denied.reason, sub: denied.sub }, 'access denied');
        await recorder.record(denied, denied.correlationId);
      },
    }),
  );
  app.enableShutdownHooks();
  if (definition.openApi !== undefined) {
    const document = new DocumentBuilder()
      .setTitle(definition.openApi.title)
      .setDescription(definition.openApi.description)
      .setVersion('1')
      .addBearerAuth()
      .build();
    SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, document, { autoTagControllers: false }), {
      jsonDocumentUrl: 'docs/openapi.json',
    });
  }
  app.connectMicroservice({
    strategy: new KafkaEventTransport({
      kafka,
      pool: definition.needs.postgres === true ? app.get<Pool>(PG_POOL, { strict: false }) : undefined,
      logger,
      resolve: (token) => app.get(token as string, { strict: false }),
    }),
  });
  try {
    await app.init();
    await app.startAllMicroservices();
  } catch (error) {
    // By now some clients are open (pools, Redis, the consumers of the processors that did start): a boot that fails
    // closes them, or they keep the process (a test run, a supervisor's retry loop) alive with nothing to use them.
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

/** Boots a service: validated config in, listening HTTP server out; a boot failure exits non-zero with one log line. */
export async function runService(definition: ServiceDefinition, env: Env = process.env): Promise<INestApplication> {
  let config: PlatformConfig;
  try {
    config = loadPlatformConfig({ service: definition.service, defaultPort: definition.defaultPort, postgres: definition.needs.postgres === true }, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${definition.service}: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ service: config.service, level: config.logLevel });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    process.exitCode = 1;
  });
  try {
    if (definition.migrations !== undefined && config.postgres !== undefined) await assertMigrated(config.postgres, definition.migrations(config));
    const app = await createServiceApp(definition, config, logger);
    await app.listen(config.port, config.host);
    logger.info({ config, url: `http://${config.host}:${config.port}` }, 'service listening');
    return app;
  } catch (error) {
    logger.fatal({ err: error }, 'service failed to start');
    logger.flush();
    process.exit(1);
  }
}

/**
 * One line per request: method, the matched route *template* (`/v1/contacts/:id`, never the raw URL: paths and
 * queries may carry e-mail addresses), status, duration, correlation id. Bodies are never logged.
 */
function requestLog(logger: Logger) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = performance.now();
    response.on('finish', () => {
      const route = routeTemplate(request);
      const entry = {
        method: request.method,
        route,
        status: response.statusCode,
        ms: Math.round(performance.now() - started),
        correlationId: correlationId(request),
      };
      if (route.startsWith('/health/')) logger.debug(entry, 'request');
      else logger.info(entry, 'request');
    });
    next();
  };
}

function routeTemplate(request: Request): string {
  const route = (request as Request & { route?: { path?: unknown } }).route;
  if (typeof route?.path !== 'string') return '(no route)';
  return `${request.baseUrl}${route.path}`;
}
