import os from 'node:os';
import type { CiJob } from '../core/events';
import { currentUser } from './state-dir';

/** Who starts a run, for its journal and its evidence: the OS user, the host, the CI job when there is one. */
export function ranBy(env: NodeJS.ProcessEnv = process.env): { user: string; host: string; ci: CiJob | null } {
  return { user: currentUser(), host: os.hostname(), ci: ciJob(env) };
}

/** The CI job from the provider's own variables; null outside CI. */
export function ciJob(env: NodeJS.ProcessEnv): CiJob | null {
  const given = (value: string | undefined) => (value ? value : null);
  if (env.GITHUB_ACTIONS === 'true') {
    const run = env.GITHUB_RUN_ID;
    const url =
      env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && run
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${run}`
        : null;
    const job = [env.GITHUB_WORKFLOW, env.GITHUB_JOB].filter(Boolean).join(' / ');
    const attempt = env.GITHUB_RUN_ATTEMPT ? ` attempt ${env.GITHUB_RUN_ATTEMPT}` : '';
    return { provider: 'github-actions', job: job ? `${job}${run ? ` (run ${run}${attempt})` : ''}` : null, url };
  }
  if (env.GITLAB_CI === 'true')
    return {
      provider: 'gitlab',
      job: env.CI_JOB_NAME ? `${env.CI_JOB_NAME} (job ${env.CI_JOB_ID ?? '?'})` : given(env.CI_JOB_ID),
      url: given(env.CI_JOB_URL),
    };
  if (env.BUILDKITE === 'true')
    return {
      provider: 'buildkite',
      job: given(env.BUILDKITE_LABEL ?? env.BUILDKITE_JOB_ID),
      url: given(env.BUILDKITE_BUILD_URL),
    };
  if (env.JENKINS_URL || env.BUILD_URL)
    return {
      provider: 'jenkins',
      job: env.JOB_NAME ? `${env.JOB_NAME} #${env.BUILD_NUMBER ?? '?'}` : null,
      url: given(env.BUILD_URL),
    };
  if (env.CI === 'true' || env.CI === '1') return { provider: 'ci', job: null, url: null };
  return null;
}
