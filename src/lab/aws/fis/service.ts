import type { Lab } from '../../lab';
import { actions } from './actions';
import { conflictError, notFoundError, quotaError, validationError } from './errors';
import { Experiment } from './experiments';
import { experimentArn, newExperimentId, newTemplateId, parseFisArn, templateArn } from './ids';
import { labResourceList, parseSelectionMode, resolveCandidates, selectResources, type LabResource } from './targets';
import {
  emptyTarget,
  templateBody,
  validateTags,
  validateTemplate,
  type TemplateRecord,
  type ValidationContext,
} from './templates';

export interface FisServiceOptions {
  /** FIS's default quota of experiments running at once per account and region. */
  maxActiveExperiments?: number;
  /** FIS's default quota of experiment templates per account and region. */
  maxTemplates?: number;
}

/**
 * The lab's FIS: experiment templates and experiments per region, and the operations the
 * wire protocol (server.ts) exposes. It owns every running experiment, so `close()` stops
 * them all, reverting their lab changes, before the lab shuts down.
 */
export class FisService {
  private readonly templates = new Map<string, TemplateRecord>();
  private readonly experiments = new Map<string, Experiment>();
  /** clientToken -> the request it came with and what it created, for idempotent retries. */
  private readonly clientTokens = new Map<string, { request: string; id: string }>();
  private readonly maxActiveExperiments: number;
  private readonly maxTemplates: number;
  private closed = false;

  constructor(
    readonly lab: Lab,
    options: FisServiceOptions = {},
  ) {
    this.maxActiveExperiments = options.maxActiveExperiments ?? 5;
    this.maxTemplates = options.maxTemplates ?? 500;
  }

  // ------------------------------------------------------------------ templates

  createTemplate(region: string, input: Record<string, unknown>): TemplateRecord {
    const replay = this.replayed(region, 'template', input);
    if (replay) return this.getTemplate(region, replay);
    const body = validateTemplate(input, this.validationContext(region));
    if (this.templatesIn(region).length >= this.maxTemplates)
      throw quotaError(
        `${region} already has ${this.maxTemplates} experiment templates, FIS's quota; delete some first`,
      );
    const id = newTemplateId();
    const now = Date.now();
    const template: TemplateRecord = {
      ...body,
      id,
      arn: templateArn(region, id),
      region,
      creationTime: now,
      lastUpdateTime: now,
    };
    this.templates.set(key(region, id), template);
    this.remember(region, 'template', input, id);
    return template;
  }

  getTemplate(region: string, id: string): TemplateRecord {
    const template = this.templates.get(key(region, id));
    if (!template) throw notFoundError(`Experiment template ${id} not found in ${region}`);
    return template;
  }

  templatesIn(region: string): TemplateRecord[] {
    return [...this.templates.values()].filter((template) => template.region === region);
  }

  /** Experiments made from the template keep their own copy and run on. */
  deleteTemplate(region: string, id: string): TemplateRecord {
    const template = this.getTemplate(region, id);
    this.templates.delete(key(region, id));
    return template;
  }

  // ------------------------------------------------------------------ experiments

  startExperiment(region: string, input: Record<string, unknown>): Experiment {
    for (const field of Object.keys(input)) {
      if (!['clientToken', 'experimentTemplateId', 'tags'].includes(field)) {
        throw validationError(
          `${field} is not a field of StartExperiment the lab takes; valid: clientToken, experimentTemplateId, tags`,
        );
      }
    }
    if (typeof input.experimentTemplateId !== 'string') throw validationError('experimentTemplateId is required');
    const replay = this.replayed(region, 'experiment', input);
    if (replay) return this.getExperiment(region, replay);
    if (this.closed) throw conflictError('the lab is shutting down; no experiment can start');
    const template = this.getTemplate(region, input.experimentTemplateId);
    const tags = validateTags(input.tags, 'tags');
    const active = this.experimentsIn(region).filter((experiment) => !experiment.final).length;
    if (active >= this.maxActiveExperiments) {
      throw quotaError(
        `${region} already runs ${active} experiments, FIS's quota of active experiments; stop one ` +
          `or wait for one to end`,
      );
    }

    // Targets are selected once per experiment; every action on a target acts on the same resources.
    const context = this.validationContext(region);
    const resolvedTargets = new Map<string, readonly LabResource[]>();
    for (const [name, spec] of Object.entries(template.targets)) {
      const candidates = resolveCandidates(name, spec, region, context.resources);
      if (candidates.length === 0 && template.experimentOptions.emptyTargetResolutionMode === 'fail')
        throw emptyTarget(name, spec, context);
      resolvedTargets.set(name, selectResources(candidates, parseSelectionMode(spec.selectionMode)!));
    }
    const id = newExperimentId();
    const experiment = new Experiment({
      lab: this.lab,
      id,
      arn: experimentArn(region, id),
      region,
      templateId: template.id,
      body: templateBody(template),
      tags,
      resolvedTargets,
      definitions: actions,
    });
    this.experiments.set(key(region, id), experiment);
    this.remember(region, 'experiment', input, id);
    experiment.begin();
    return experiment;
  }

  getExperiment(region: string, id: string): Experiment {
    const experiment = this.experiments.get(key(region, id));
    if (!experiment) throw notFoundError(`Experiment ${id} not found in ${region}`);
    return experiment;
  }

  experimentsIn(region: string, templateId?: string): Experiment[] {
    return [...this.experiments.values()].filter(
      (experiment) =>
        experiment.region === region && (templateId === undefined || experiment.templateId === templateId),
    );
  }

  /** Idempotent while it stops or once stopped; an experiment that completed or failed cannot be stopped. */
  stopExperiment(region: string, id: string): Experiment {
    const experiment = this.getExperiment(region, id);
    if (experiment.status === 'stopped' || experiment.status === 'stopping') return experiment;
    if (!experiment.stop())
      throw conflictError(
        `Experiment ${id} is already ${experiment.status}; only pending, initiating and running ` +
          `experiments can be stopped`,
      );
    return experiment;
  }

  // ------------------------------------------------------------------ tags

  tagsOf(region: string, arn: string): Record<string, string> {
    return this.taggable(region, arn).tags;
  }

  tag(region: string, arn: string, tags: unknown): void {
    const resource = this.taggable(region, arn);
    const merged = { ...resource.tags, ...validateTags(tags, 'tags') };
    validateTags(merged, 'tags');
    Object.assign(resource.tags, merged);
  }

  untag(region: string, arn: string, keys: readonly string[]): void {
    const resource = this.taggable(region, arn);
    for (const tagKey of keys) delete resource.tags[tagKey];
  }

  private taggable(region: string, arn: string): { tags: Record<string, string> } {
    const parsed = parseFisArn(arn);
    if (!parsed) throw notFoundError(`${arn} is not an experiment template or experiment ARN of this account`);
    if (parsed.region !== region)
      throw notFoundError(`${arn} is in ${parsed.region}; this request was signed for ${region}`);
    return parsed.kind === 'experiment-template'
      ? this.getTemplate(region, parsed.id)
      : this.getExperiment(region, parsed.id);
  }

  // ------------------------------------------------------------------ lifecycle

  /** Stops every experiment that is still going and waits until their lab changes are reverted. */
  async close(): Promise<void> {
    this.closed = true;
    const active = [...this.experiments.values()].filter((experiment) => !experiment.final);
    for (const experiment of active) experiment.stop('Experiment stopped: the lab is shutting down.');
    await Promise.all(active.map((experiment) => experiment.done));
  }

  private validationContext(region: string): ValidationContext {
    const regions = this.lab.layout.regions.map((layout) => layout.name);
    if (!regions.includes(region)) {
      throw validationError(
        `the lab has no region ${region}; sign requests for one of its regions: ${regions.join(', ')}`,
      );
    }
    return { region, regions, resources: labResourceList(this.lab.awsResources()) };
  }

  private replayed(region: string, kind: string, input: Record<string, unknown>): string | undefined {
    if (typeof input.clientToken !== 'string') return undefined;
    const seen = this.clientTokens.get(`${region}/${kind}/${input.clientToken}`);
    if (!seen) return undefined;
    if (seen.request !== fingerprint(input))
      throw conflictError(`clientToken ${input.clientToken} was already used with a different request`);
    return seen.id;
  }

  private remember(region: string, kind: string, input: Record<string, unknown>, id: string): void {
    if (typeof input.clientToken === 'string')
      this.clientTokens.set(`${region}/${kind}/${input.clientToken}`, { request: fingerprint(input), id });
  }
}

const key = (region: string, id: string): string => `${region}/${id}`;
const fingerprint = (input: Record<string, unknown>): string => JSON.stringify(input);
