/** The Pulumi program entry (Pulumi.yaml `main`). Everything it does is in `program.ts`. */
import { runProgram } from "./program";

const { outputs } = runProgram();

export const workspaceId = outputs.workspaceId;
export const bucketNames = outputs.bucketNames;
export const jobRoleArn = outputs.jobRoleArn;
export const quotaId = outputs.quotaId;
export const jobs = outputs.jobs;
export const services = outputs.services;
