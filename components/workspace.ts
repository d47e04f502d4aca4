/** The PAI workspace every job, quota binding and service lives in. */
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";

export interface WorkspaceArgs {
  /**
   * Workspace name: 3-23 letters, digits or '_', starting with a letter, unique per region.
   * Changing it replaces the workspace.
   */
  readonly workspaceName: pulumi.Input<string>;
  /**
   * Shown in the console.
   * @default the workspace name
   */
  readonly displayName?: pulumi.Input<string>;
  /**
   * At most 80 characters (the API requires one).
   * @default "pai-finetune"
   */
  readonly description?: pulumi.Input<string>;
  /**
   * ["prod"] (basic mode) or ["dev", "prod"] (standard mode). Changing it replaces the workspace.
   * @default ["dev", "prod"]
   */
  readonly envTypes?: pulumi.Input<pulumi.Input<"dev" | "prod">[]>;
  /**
   * Resource group.
   * @default the account's default resource group
   */
  readonly resourceGroupId?: pulumi.Input<string>;
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
        resourceGroupId: args.resourceGroupId,
      },
      { parent: this },
    );
    this.workspaceId = workspace.id;
    this.workspaceName = workspace.workspaceName;
    this.registerOutputs({ workspaceId: this.workspaceId, workspaceName: this.workspaceName });
  }
}
