// One conformance scenario through @camunda8/sdk's Zeebe gRPC client, as a Node user would write it.
// Usage: node scenarios.mjs HOST:PORT SCENARIO FIXTURES_DIR
// Prints one JSON object (what the scenario observed) on stdout, on a line of its own after RESULT_MARK (the SDK
// logs to stdout too); the pytest side asserts on it and on the
// engine's state. A failed call prints {"error": {code, details}} so status codes can be asserted too.
import { Camunda8 } from '@camunda8/sdk'
import { join } from 'node:path'

const [, , address, scenario, fixtures] = process.argv
const RESULT_MARK = 'scenario-result: '

const c8 = new Camunda8({
  ZEEBE_GRPC_ADDRESS: `grpc://${address}`,
  CAMUNDA_AUTH_STRATEGY: 'NONE',
  ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
  CAMUNDA_LOG_LEVEL: 'none',
  ZEEBE_GRPC_CLIENT_RETRY: false,
})
const zeebe = c8.getZeebeGrpcApiClient()

const fixture = (name) => join(fixtures, name)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function deploy(...names) {
  const keys = []
  for (const name of names) {
    const resource = name.endsWith('.dmn') ? { decisionFilename: fixture(name) } : { processFilename: fixture(name) }
    const response = await zeebe.deployResource(resource)
    keys.push(response.key)
  }
  return keys
}

async function failure(call) {
  try {
    await call()
    return null
  } catch (error) {
    return { code: error.code, details: error.details ?? error.message }
  }
}

// Waits until `handled` jobs have been worked on, then closes the worker.
async function work(taskType, handler, handled = 1) {
  let count = 0
  let done
  const finished = new Promise((resolve) => (done = resolve))
  const worker = zeebe.createWorker({
    taskType,
    timeout: 10_000,
    pollInterval: 100,
    taskHandler: async (job) => {
      const outcome = await handler(job)
      count += 1
      if (count >= handled) done()
      return outcome
    },
  })
  await Promise.race([finished, sleep(20_000)])
  await worker.close()
  return count
}

const scenarios = {
  async topology() {
    const topology = await zeebe.topology()
    return {
      clusterSize: topology.clusterSize,
      partitionsCount: topology.partitionsCount,
      brokers: topology.brokers.map((b) => ({ host: b.host, port: b.port, partitions: b.partitions.length })),
    }
  },

  async deploy() {
    const response = await zeebe.deployResource({ processFilename: fixture('conf-one-task.bpmn') })
    const process = response.deployments[0].process
    const again = await zeebe.deployResource({ processFilename: fixture('conf-one-task.bpmn') })
    return {
      bpmnProcessId: process.bpmnProcessId,
      version: process.version,
      sameVersionAgain: again.deployments[0].process.version === process.version,
      broken: await failure(() => zeebe.deployResource({ name: 'broken.bpmn', process: Buffer.from('<bpmn:definitions') })),
    }
  },

  async 'start-and-complete'() {
    await deploy('conf-one-task.bpmn')
    const created = await zeebe.createProcessInstance({ bpmnProcessId: 'conf-one-task', variables: { a: 2, b: 3 } })
    const seen = []
    const handled = await work('conf.work', (job) => {
      seen.push({ headers: job.customHeaders, a: job.variables.a, key: job.processInstanceKey })
      return job.complete({ sum: job.variables.a + job.variables.b })
    })
    const withResult = zeebe.createProcessInstanceWithResult({
      bpmnProcessId: 'conf-one-task',
      variables: { a: 10, b: 5 },
      requestTimeout: 10_000,
    })
    await work('conf.work', (job) => job.complete({ sum: job.variables.a + job.variables.b }))
    const result = await withResult
    return { processInstanceKey: created.processInstanceKey, handled, seen, resultVariables: result.variables }
  },

  async 'start-instructions'() {
    await deploy('conf-one-task.bpmn')
    const before = (elementId) => [{ elementId }]
    const created = await zeebe.createProcessInstance({
      bpmnProcessId: 'conf-one-task',
      variables: { a: 4, b: 5 },
      startInstructions: [...before('work'), ...before('work')],
    })
    const handled = await work('conf.work', (job) => job.complete({ sum: job.variables.a + job.variables.b }), 2)
    const refused = await failure(() =>
      zeebe.createProcessInstance({ bpmnProcessId: 'conf-one-task', variables: {}, startInstructions: before('start') }),
    )
    return { processInstanceKey: created.processInstanceKey, handled, refused }
  },

  async 'fail-to-incident'() {
    await deploy('conf-retry.bpmn')
    const created = await zeebe.createProcessInstance({ bpmnProcessId: 'conf-retry', variables: {} })
    const retriesSeen = []
    await work(
      'conf.flaky',
      (job) => {
        retriesSeen.push(job.retries)
        return job.fail({ errorMessage: 'backend down', retries: job.retries - 1, retryBackOff: 0 })
      },
      2,
    )
    return { processInstanceKey: created.processInstanceKey, retriesSeen }
  },

  async 'resolve-incident'() {
    // argv[5]: the incident key and job key the pytest side read from the engine, as "incidentKey,jobKey"
    const [incidentKey, jobKey] = process.argv[5].split(',')
    await zeebe.updateJobRetries({ jobKey, retries: 1 })
    await zeebe.resolveIncident({ incidentKey })
    const handled = await work('conf.flaky', (job) => job.complete({ recovered: true }))
    return {
      handled,
      resolveAgain: await failure(() => zeebe.resolveIncident({ incidentKey })),
    }
  },

  async 'throw-error'() {
    await deploy('conf-error.bpmn')
    const result = zeebe.createProcessInstanceWithResult({
      bpmnProcessId: 'conf-error',
      variables: { card: 'expired' },
      requestTimeout: 10_000,
    })
    await work('conf.charge', (job) =>
      job.error({ errorCode: 'DECLINED', errorMessage: 'card expired', variables: { reason: 'expired' } }),
    )
    return { variables: (await result).variables }
  },

  async message() {
    await deploy('conf-message.bpmn')
    // Published first, buffered for its TTL, correlated when the instance opens its subscription.
    await zeebe.publishMessage({
      name: 'conf-paid',
      correlationKey: 'order-early',
      variables: { paidEarly: true },
      timeToLive: 60_000,
      messageId: 'early-1',
    })
    const duplicate = await failure(() =>
      zeebe.publishMessage({ name: 'conf-paid', correlationKey: 'order-early', timeToLive: 60_000, messageId: 'early-1' }),
    )
    const early = await zeebe.createProcessInstanceWithResult({
      bpmnProcessId: 'conf-message',
      variables: { orderId: 'order-early' },
      requestTimeout: 10_000,
    })
    const late = zeebe.createProcessInstanceWithResult({
      bpmnProcessId: 'conf-message',
      variables: { orderId: 'order-late' },
      requestTimeout: 10_000,
    })
    await sleep(300)
    await zeebe.publishMessage({ name: 'conf-paid', correlationKey: 'order-late', variables: { paidLate: true }, timeToLive: 0 })
    // A message with no TTL and no waiting subscription is dropped: this instance must not see it.
    await zeebe.publishMessage({ name: 'conf-paid', correlationKey: 'order-none', variables: {}, timeToLive: 0 })
    const none = await zeebe.createProcessInstance({ bpmnProcessId: 'conf-message', variables: { orderId: 'order-none' } })
    return {
      duplicate,
      early: early.variables,
      late: (await late).variables,
      waitingInstance: none.processInstanceKey,
    }
  },

  async timer() {
    await deploy('conf-timer.bpmn')
    const started = Date.now()
    const result = await zeebe.createProcessInstanceWithResult({
      bpmnProcessId: 'conf-timer',
      variables: { delay: 'PT0.5S' },
      requestTimeout: 10_000,
    })
    return { elapsedMs: Date.now() - started, variables: result.variables }
  },

  async 'call-activity'() {
    await deploy('conf-call-child.bpmn', 'conf-call-parent.bpmn')
    const result = zeebe.createProcessInstanceWithResult({
      bpmnProcessId: 'conf-call-parent',
      variables: { amount: 21, unrelated: 'stays in the parent' },
      requestTimeout: 10_000,
    })
    const seen = []
    await work('conf.child', (job) => {
      seen.push(job.variables)
      return job.complete({ doubled: job.variables.amount * 2 })
    })
    return { childSaw: seen, variables: (await result).variables }
  },

  async decision() {
    await deploy('conf-risk.dmn', 'conf-decide.bpmn')
    const evaluated = await zeebe.evaluateDecision({ decisionId: 'conf-risk', variables: { amount: 5000 } })
    const viaTask = await zeebe.createProcessInstanceWithResult({
      bpmnProcessId: 'conf-decide',
      variables: { amount: 10 },
      requestTimeout: 10_000,
    })
    return {
      decisionId: evaluated.decisionId,
      decisionOutput: JSON.parse(evaluated.decisionOutput),
      matchedRules: evaluated.evaluatedDecisions[0].matchedRules.map((r) => r.ruleId),
      unknown: await failure(() => zeebe.evaluateDecision({ decisionId: 'no-such-decision', variables: {} })),
      viaTask: viaTask.variables,
    }
  },

  // The RPCs that operate on running instances: SetVariables, UpdateJobTimeout, ModifyProcessInstance,
  // MigrateProcessInstance, DeleteResource and BroadcastSignal.
  async operations() {
    await deploy('conf-ops.bpmn', 'conf-ops-target.bpmn', 'conf-signal.bpmn')
    const source = await zeebe.deployResource({ processFilename: fixture('conf-ops.bpmn') })
    const target = await zeebe.deployResource({ processFilename: fixture('conf-ops-target.bpmn') })
    const sourceKey = source.deployments[0].process.processDefinitionKey
    const targetKey = target.deployments[0].process.processDefinitionKey
    const created = await zeebe.createProcessInstance({ bpmnProcessId: 'conf-ops', variables: { x: 1 } })
    const instance = created.processInstanceKey
    await zeebe.setVariables({ elementInstanceKey: instance, variables: { x: 2, note: 'set' }, local: false })
    const activated = await zeebe.activateJobs({
      type: 'conf.ops',
      worker: 'ops',
      maxJobsToActivate: 5,
      timeout: 60_000,
      requestTimeout: 5_000,
    })
    const [job] = activated
    await zeebe.updateJobTimeout({ jobKey: job.key, timeout: 120_000 })
    const badTimeout = await failure(() => zeebe.updateJobTimeout({ jobKey: '2251799813999999', timeout: 1000 }))
    // A second token at the task: the instance now has two element instances of `work`.
    await zeebe.modifyProcessInstance({
      processInstanceKey: instance,
      activateInstructions: [{ elementId: 'work', ancestorElementInstanceKey: '-1', variableInstructions: [] }],
    })
    const badModify = await failure(() =>
      zeebe.modifyProcessInstance({ processInstanceKey: instance, activateInstructions: [{ elementId: 'nowhere', ancestorElementInstanceKey: '-1', variableInstructions: [] }] }),
    )
    await zeebe.migrateProcessInstance({
      processInstanceKey: instance,
      migrationPlan: { targetProcessDefinitionKey: targetKey, mappingInstructions: [{ sourceElementId: 'work', targetElementId: 'work2' }] },
    })
    // No instance runs on conf-ops any more: its definition may be deleted; creating by id then finds none.
    await zeebe.deleteResource({ resourceKey: sourceKey })
    const afterDelete = await failure(() => zeebe.createProcessInstance({ bpmnProcessId: 'conf-ops', variables: {} }))
    // The job activated above (timeout extended) is completed directly; the worker takes the added token's job.
    await zeebe.completeJob({ jobKey: job.key, variables: { finishedBy: 'direct' } })
    const handled = await work('conf.ops', (job) => job.complete({ finishedBy: 'worker' }))
    const waiting = await zeebe.createProcessInstance({ bpmnProcessId: 'conf-signal', variables: {} })
    await sleep(200)
    await zeebe.broadcastSignal({ signalName: 'conf-go', variables: { signalled: true } })
    return {
      processInstanceKey: instance,
      signalInstanceKey: waiting.processInstanceKey,
      activatedJobs: activated.length,
      jobVariables: job.variables,
      badTimeout,
      badModify,
      afterDelete,
      handled,
    }
  },

  async cancel() {
    await deploy('conf-message.bpmn')
    const created = await zeebe.createProcessInstance({ bpmnProcessId: 'conf-message', variables: { orderId: 'never' } })
    await zeebe.cancelProcessInstance(created.processInstanceKey)
    return {
      processInstanceKey: created.processInstanceKey,
      cancelAgain: await failure(() => zeebe.cancelProcessInstance(created.processInstanceKey)),
    }
  },
}

try {
  const run = scenarios[scenario]
  if (!run) throw new Error(`unknown scenario ${scenario}`)
  const observed = await run()
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(observed)}\n`)
  await c8.getZeebeGrpcApiClient().close(2000)
  process.exit(0)
} catch (error) {
  process.stderr.write(`${error.stack ?? error}\n`)
  process.exit(1)
}
