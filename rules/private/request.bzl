"""The pattern shared by the image and index actions: a JSON request in,
named outputs out."""

load(":toolchain.bzl", "run_imagewriter")

def request_action(ctx, command, request, inputs, outputs, mnemonic, progress_message):
    """Writes `request` to <name>.request.json and runs `imagewriter <command>`.

    Args:
      ctx: the rule context.
      command: "image" or "index".
      request: a dict, the request (src/proto/request.proto).
      inputs: the files the request names.
      outputs: [(flag, suffix)]: each becomes <name><suffix>, passed as --<flag>-out.
      mnemonic: the action's mnemonic.
      progress_message: the action's progress message.

    Returns:
      (request file, {flag: File}).
    """
    name = ctx.label.name
    request_file = ctx.actions.declare_file(name + ".request.json")
    ctx.actions.write(request_file, json.encode(request))
    files = {flag: ctx.actions.declare_file(name + suffix) for flag, suffix in outputs}
    args = ctx.actions.args()
    args.add(command)
    args.add("--request", request_file)
    for flag, _ in outputs:
        args.add("--%s-out" % flag, files[flag])
    run_imagewriter(
        ctx,
        arguments = [args],
        inputs = [request_file] + inputs,
        outputs = files.values(),
        mnemonic = mnemonic,
        progress_message = progress_message,
    )
    return request_file, files
