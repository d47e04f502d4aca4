import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Workspace } from "../../components/workspace";
import { mockRuntime, only, publicOutputNames, registeredOutputNames, resourcesOf, valueOf } from "./harness";

const T = "alicloud:pai/workspaceWorkspace:WorkspaceWorkspace";

describe("Workspace", () => {
  before(mockRuntime);

  it("applies the documented defaults", async () => {
    const ws = new Workspace("ws-defaults", { workspaceName: "team_ws" });
    const r = only(await resourcesOf("ws-defaults"), T);
    assert.deepEqual(r.inputs, {
      workspaceName: "team_ws",
      displayName: "team_ws",
      description: "pai-finetune",
      envTypes: ["dev", "prod"],
    });
    assert.equal(await valueOf(ws.workspaceId), "<workspace id of team_ws>");
    assert.equal(await valueOf(ws.workspaceName), "team_ws");
  });

  it("passes every given arg through", async () => {
    new Workspace("ws-full", {
      workspaceName: "prod_ws",
      displayName: "Prod",
      description: "prod models",
      envTypes: ["prod"],
      resourceGroupId: "rg-123",
    });
    const r = only(await resourcesOf("ws-full"), T);
    assert.deepEqual(r.inputs, {
      workspaceName: "prod_ws",
      displayName: "Prod",
      description: "prod models",
      envTypes: ["prod"],
      resourceGroupId: "rg-123",
    });
  });

  it("registers every public output", () => {
    const ws = new Workspace("ws-outputs", { workspaceName: "out_ws" });
    assert.deepEqual(registeredOutputNames(ws), publicOutputNames(ws));
  });
});
