/**
 * The foundation's proof: a trivial dynamic resource goes through the real engine's
 * up → refresh → destroy, and the exported state holds what each step should leave.
 */
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { createTestStack } from "pulumi-mde-harness";

interface NoteInputs {
  text: string;
}

// Self-contained on purpose: this provider is serialized by value into state.
const noteProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: NoteInputs) {
    return { id: `note-${inputs.text}`, outs: { text: inputs.text, length: inputs.text.length, reads: 0 } };
  },
  async read(id: string, props: { text: string; length: number; reads: number }) {
    return { id, props: { ...props, reads: props.reads + 1 } };
  },
  async delete() {},
};

class Note extends pulumi.dynamic.Resource {
  declare readonly text: pulumi.Output<string>;
  declare readonly length: pulumi.Output<number>;
  declare readonly reads: pulumi.Output<number>;
  constructor(name: string, args: { text: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super(noteProvider, name, { text: args.text, length: undefined, reads: undefined }, opts);
  }
}

test("a dynamic resource goes through up, refresh and destroy on the real engine", async (t) => {
  const s = await createTestStack({
    program: async () => {
      const note = new Note("greeting", { text: "hello" });
      return { length: note.length };
    },
  });
  t.teardown(() => s.dispose());

  const up = await s.up();
  t.is(up.summary.result, "succeeded");
  t.is(up.summary.resourceChanges?.create, 2, "the stack and the note are created");
  t.is(up.outputs.length?.value, 5);

  let state = await s.exportState();
  t.is(state.resources.length, 1);
  const [created] = state.resources;
  t.is(created?.type, "pulumi-nodejs:dynamic:Resource");
  t.is(created?.id, "note-hello");
  t.like(created?.outputs, { text: "hello", length: 5, reads: 0 });
  t.is(typeof created?.outputs?.__provider, "string", "the serialized provider is stored with the resource");

  const refresh = await s.refresh();
  t.is(refresh.summary.result, "succeeded");
  state = await s.exportState();
  t.is(state.resources[0]?.id, "note-hello");
  t.like(state.resources[0]?.outputs, { text: "hello", reads: 1 }, "refresh stored what read returned");

  const destroy = await s.destroy();
  t.is(destroy.summary.result, "succeeded");
  t.is(destroy.summary.resourceChanges?.delete, 2);
  state = await s.exportState();
  t.deepEqual(state.resources, [], "nothing is left in state");
});
