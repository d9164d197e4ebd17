// A small ESLint rule that keeps the architecture of the folder layout real (docs/architecture.md):
// a service never imports another service, a lib never imports a service, and a lib is used only through its
// package name (its one index.ts), never by a relative path into its files. Pure domain code (deciders, the
// use-case decisions they compose and the invariants those share, the errors and Merkle libs, contact schema
// validation, TOTP) imports no framework and no I/O client: it stays testable in milliseconds and loads nothing but
// itself; libs/errors imports nothing.
import { dirname, relative, resolve, sep } from 'node:path';
import type { Rule } from 'eslint';

type Element = { kind: 'service' | 'lib' | 'tests' | 'tools'; name: string } | undefined;

const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');

function elementOf(absolutePath: string): Element {
  const parts = relative(repoRoot, absolutePath).split(sep);
  const [top, name] = parts;
  if ((top === 'services' || top === 'libs') && name !== undefined && parts.length > 2) {
    return { kind: top === 'services' ? 'service' : 'lib', name };
  }
  // Architecture tests inspect every service (e.g. that each route declares its guard), so they may import them.
  if (top === 'tests' && name === 'architecture') return { kind: 'tools', name: 'architecture' };
  if (top === 'tests' || top === 'tools') return { kind: top, name: top };
  return undefined;
}

/** Files that hold pure domain logic, by their path from the repository root (always with `/`). */
const PURE_DOMAIN: readonly RegExp[] = [
  /\.decider\.ts$/,
  /\.decision\.ts$/,
  /\.invariants\.ts$/,
  /^libs\/errors\//,
  /^libs\/merkle\//,
  /^services\/[^/]+\/src\/(.+\/)?contact-schema\//,
  /^services\/identity\/src\/mfa\/totp\//,
];

/** What pure domain code must not import: web framework, database, Kafka and Redis clients, and the libs that load them. */
const FRAMEWORK_IMPORTS: readonly RegExp[] = [
  /^@nestjs\//,
  /^pg(\/|$)/,
  /^@platformatic\/kafka(\/|$)/,
  /^kafkajs(\/|$)/,
  /^ioredis(\/|$)/,
  /^@crm\/(http|platform|postgres|messaging)(\/|$)/,
];

function repoPathOf(absolutePath: string): string {
  return relative(repoRoot, absolutePath).split(sep).join('/');
}

/** `@crm/service-x` is service x; `@crm/y` is lib y. */
function elementOfPackage(specifier: string): { element: Element; deep: boolean } | undefined {
  const match = /^@crm\/([a-z0-9-]+)(\/.*)?$/.exec(specifier);
  if (match === null) return undefined;
  const name = match[1]!;
  const element: Element = name.startsWith('service-') ? { kind: 'service', name: name.slice('service-'.length) } : { kind: 'lib', name };
  return { element, deep: match[2] !== undefined };
}

const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the service and lib boundaries of the workspace' },
    schema: [],
    messages: {
      serviceImportsService: "Service '{{from}}' must not import service '{{to}}': services talk through Kafka events or HTTP.",
      libImportsService: "Lib '{{from}}' must not import service '{{to}}': libs are shared, services depend on libs, not the reverse.",
      testsImportService: "Tests must not import service '{{to}}' code: end-to-end tests go through the gateway's HTTP API.",
      deepImport: "Import '@crm/{{to}}' through its index only, not '{{specifier}}'.",
      relativeIntoLib: "Import lib '{{to}}' as '@crm/{{to}}', not by a relative path into its files.",
      domainImportsFramework:
        "Pure domain code must not import '{{specifier}}': throw errors from '@crm/errors' and keep frameworks and I/O clients in the services around it.",
      errorsLibImportsPackage: "'@crm/errors' has no dependencies: it must not import '{{specifier}}'.",
    },
  },
  create(context) {
    const from = elementOf(context.filename);
    if (from === undefined) return {};
    const repoPath = repoPathOf(context.filename);
    const isErrorsLib = from.kind === 'lib' && from.name === 'errors';
    const isPureDomain = PURE_DOMAIN.some((pattern) => pattern.test(repoPath));

    function check(node: Rule.Node, specifier: unknown): void {
      if (typeof specifier !== 'string') return;
      if (isErrorsLib && !specifier.startsWith('.')) {
        context.report({ node, messageId: 'errorsLibImportsPackage', data: { specifier } });
        return;
      }
      if (isPureDomain && FRAMEWORK_IMPORTS.some((pattern) => pattern.test(specifier))) {
        context.report({ node, messageId: 'domainImportsFramework', data: { specifier } });
        return;
      }
      let to: Element;
      if (specifier.startsWith('.')) {
        to = elementOf(resolve(dirname(context.filename), specifier));
        if (to === undefined || (to.kind === from!.kind && to.name === from!.name)) return;
        if (to.kind === 'lib') {
          context.report({ node, messageId: 'relativeIntoLib', data: { to: to.name } });
          return;
        }
      } else {
        const target = elementOfPackage(specifier);
        if (target === undefined) return;
        to = target.element;
        if (target.deep && to?.kind === 'lib') {
          context.report({ node, messageId: 'deepImport', data: { to: to.name, specifier } });
          return;
        }
      }
      if (to?.kind !== 'service' || (from!.kind === 'service' && from!.name === to.name)) return;
      const messageId =
        from!.kind === 'service'
          ? 'serviceImportsService'
          : from!.kind === 'lib'
            ? 'libImportsService'
            : from!.kind === 'tests'
              ? 'testsImportService'
              : undefined;
      if (messageId !== undefined) context.report({ node, messageId, data: { from: from!.name, to: to.name } });
    }

    return {
      ImportDeclaration: (node) => check(node as Rule.Node, node.source.value),
      ExportNamedDeclaration: (node) => check(node as Rule.Node, node.source?.value),
      ExportAllDeclaration: (node) => check(node as Rule.Node, node.source.value),
      ImportExpression: (node) => check(node as Rule.Node, node.source.type === 'Literal' ? node.source.value : undefined),
    };
  },
};

export const moduleBoundaries = { meta: { name: 'crm-boundaries' }, rules: { 'module-boundaries': rule } };
