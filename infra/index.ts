/** The Pulumi program entry (Pulumi.yaml `main`): resolve the stack's config, run the program. */
import { resolveFromEngine, runProgram } from "./program";

const { outputs } = runProgram({ resolved: resolveFromEngine() });

export const workspaceId = outputs.workspaceId;
export const bucketNames = outputs.bucketNames;
export const jobRoleArn = outputs.jobRoleArn;
export const quotaId = outputs.quotaId;
export const jobs = outputs.jobs;
export const services = outputs.services;
