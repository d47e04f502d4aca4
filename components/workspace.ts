/** The PAI workspace every job, quota binding and service lives in. */
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";

export interface WorkspaceArgs {
  /** Workspace name: 3-23 letters, digits or '_', starting with a letter, unique per region. Required; changing it replaces the workspace. */
  workspaceName: pulumi.Input<string>;
  /** Shown in the console. Default: the workspace name. */
  displayName?: pulumi.Input<string>;
  /** At most 80 characters. Required by the API; default: "pai-finetune". */
  description?: pulumi.Input<string>;
  /** ["prod"] (basic mode) or ["dev", "prod"] (standard mode). Default: ["dev", "prod"]. Changing it replaces the workspace. */
  envTypes?: pulumi.Input<pulumi.Input<"dev" | "prod">[]>;
  /** Resource group. Default: the account's default resource group. */
  resourceGroupId?: pulumi.Input<string>;
}

export class Workspace extends pulumi.ComponentResource {
  /** The workspace id that jobs and services are created in. */
  readonly workspaceId: pulumi.Output<string>;
  readonly workspaceName: pulumi.Output<string>;

  constructor(name: string, args: WorkspaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:Workspace", name, {}, opts);
    const workspace = new alicloud.pai.WorkspaceWorkspace(
      name,
      {
        workspaceName: args.workspaceName,
        displayName: args.displayName ?? args.workspaceName,
        description: args.description ?? "pai-finetune",
        envTypes: args.envTypes ?? ["dev", "prod"],
        ...(args.resourceGroupId !== undefined ? { resourceGroupId: args.resourceGroupId } : {}),
      },
      { parent: this },
    );
    this.workspaceId = workspace.id;
    this.workspaceName = workspace.workspaceName;
    this.registerOutputs({ workspaceId: this.workspaceId, workspaceName: this.workspaceName });
  }
}
