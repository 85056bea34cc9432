// bpmnlint's recommended rules plus one rule fed by the engine: POST /v1/lint runs cadenza.bpmn's reader and
// validation, and its problems (an element Cadenza cannot run, a missing task type, a FEEL syntax error) are
// reported through bpmnlint, so they show as the same overlays and in the same issue list.
import recommended from 'bpmnlint/config/recommended';
import adHocSubProcess from 'bpmnlint/rules/ad-hoc-sub-process';
import conditionalFlows from 'bpmnlint/rules/conditional-flows';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import eventBasedGateway from 'bpmnlint/rules/event-based-gateway';
import eventSubProcessTypedStartEvent from 'bpmnlint/rules/event-sub-process-typed-start-event';
import fakeJoin from 'bpmnlint/rules/fake-join';
import global from 'bpmnlint/rules/global';
import labelRequired from 'bpmnlint/rules/label-required';
import linkEvent from 'bpmnlint/rules/link-event';
import noBpmndi from 'bpmnlint/rules/no-bpmndi';
import noComplexGateway from 'bpmnlint/rules/no-complex-gateway';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows';
import noGatewayJoinFork from 'bpmnlint/rules/no-gateway-join-fork';
import noImplicitEnd from 'bpmnlint/rules/no-implicit-end';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split';
import noImplicitStart from 'bpmnlint/rules/no-implicit-start';
import noInclusiveGateway from 'bpmnlint/rules/no-inclusive-gateway';
import noOverlappingElements from 'bpmnlint/rules/no-overlapping-elements';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event';
import singleEventDefinition from 'bpmnlint/rules/single-event-definition';
import startEventRequired from 'bpmnlint/rules/start-event-required';
import subProcessBlankStartEvent from 'bpmnlint/rules/sub-process-blank-start-event';
import superfluousGateway from 'bpmnlint/rules/superfluous-gateway';
import superfluousLabel from 'bpmnlint/rules/superfluous-label';
import superfluousTermination from 'bpmnlint/rules/superfluous-termination';

import type { FieldError, LintIssue } from './api';

type RuleFactory = (config?: unknown) => { check: (node: ModdleNode, reporter: Reporter) => void };
interface ModdleNode { id?: string; $type: string }
interface Reporter { report: (id: string | undefined, message: string) => void }

const builtIn: Record<string, RuleFactory> = {
  'ad-hoc-sub-process': adHocSubProcess,
  'conditional-flows': conditionalFlows,
  'end-event-required': endEventRequired,
  'event-based-gateway': eventBasedGateway,
  'event-sub-process-typed-start-event': eventSubProcessTypedStartEvent,
  'fake-join': fakeJoin,
  global,
  'label-required': labelRequired,
  'link-event': linkEvent,
  'no-bpmndi': noBpmndi,
  'no-complex-gateway': noComplexGateway,
  'no-disconnected': noDisconnected,
  'no-duplicate-sequence-flows': noDuplicateSequenceFlows,
  'no-gateway-join-fork': noGatewayJoinFork,
  'no-implicit-end': noImplicitEnd,
  'no-implicit-split': noImplicitSplit,
  'no-implicit-start': noImplicitStart,
  'no-inclusive-gateway': noInclusiveGateway,
  'no-overlapping-elements': noOverlappingElements,
  'single-blank-start-event': singleBlankStartEvent,
  'single-event-definition': singleEventDefinition,
  'start-event-required': startEventRequired,
  'sub-process-blank-start-event': subProcessBlankStartEvent,
  'superfluous-gateway': superfluousGateway,
  'superfluous-label': superfluousLabel,
  'superfluous-termination': superfluousTermination,
};

/** The engine's latest verdict, by element id ('' for problems of the file as a whole). */
const engineIssues = new Map<string, string[]>();

export function setEngineIssues(issues: (LintIssue | FieldError)[]): void {
  engineIssues.clear();
  for (const issue of issues) {
    const id = issue.elementId ?? '';
    const message = 'message' in issue ? issue.message : issue.msg;
    engineIssues.set(id, [...(engineIssues.get(id) ?? []), message]);
  }
}

export function engineIssueCount(): number {
  let count = 0;
  engineIssues.forEach((messages) => (count += messages.length));
  return count;
}

const engineRule: RuleFactory = () => ({
  check(node, reporter) {
    const id = node.$type === 'bpmn:Definitions' ? '' : node.id;
    if (id === undefined) return;
    for (const message of engineIssues.get(id) ?? []) {
      reporter.report(node.id, `Cadenza: ${message}`);
    }
  },
});

const cache: Record<string, unknown> = { 'rule:bpmnlint-plugin-cadenza/engine': engineRule };
for (const [name, rule] of Object.entries(builtIn)) cache[`rule:bpmnlint/${name}`] = rule;
cache['config:bpmnlint/recommended'] = recommended;

const resolver = {
  resolveRule: (pkg: string, name: string) => cache[`rule:${pkg}/${name}`],
  resolveConfig: (pkg: string, name: string) => cache[`config:${pkg}/${name}`],
};

export const linterConfig = {
  // label-required is relaxed to a warning: an unnamed task still runs on Cadenza.
  config: { extends: 'bpmnlint:recommended', rules: { 'label-required': 'warn', 'cadenza/engine': 'error' } },
  resolver,
};
