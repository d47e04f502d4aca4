"""Twin of infra/evaluation/score.ts for the evaluation job's Python image (stdlib only).

The TypeScript module is the definition; this file computes the same metrics with the same rules
(test/evaluation/score-parity.test.ts runs both on the same inputs and compares). The evaluation
job runs it after LLaMA-Factory's predict step:

  python3 score.py --predictions generated_predictions.jsonl --references eval.jsonl \
    --expect-version <sha256> --stack s --job j --artifact oss://... --run-hash h \
    --dataset-path p --metrics bleu-4,slot-f1 --out metrics.json

--expect-version: the evaluation file must be exactly the configured dataset version, else exit 2.
"""
import argparse
import datetime
import hashlib
import json
import math
import sys

TEXT_METRICS = ["bleu-4", "rouge-l"]
ALL_METRICS = TEXT_METRICS + ["json-valid", "function-accuracy", "slot-precision", "slot-recall", "slot-f1"]


def fail(message):
    sys.stderr.write("score.py: %s\n" % message)
    sys.exit(2)


def _reject_constant(name):
    raise ValueError(name)


def parse_call(text):
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    fn = value.get("function")
    if not isinstance(fn, str) or len(fn) == 0:
        return None
    slots = value.get("slots", {})
    if slots is None:
        slots = {}
    if not isinstance(slots, dict):
        return None
    for s in slots.values():
        if not isinstance(s, (str, int, float)):
            return None
    for k in value:
        if k not in ("function", "slots"):
            return None
    return {"function": fn, "slots": slots}


def _is_ascii_alnum(c):
    return ("a" <= c <= "z") or ("A" <= c <= "Z") or ("0" <= c <= "9")


def tokenize(text):
    out, run = [], ""
    for c in text:
        if _is_ascii_alnum(c):
            run += c
            continue
        if run:
            out.append(run)
            run = ""
        if not c.isspace():
            out.append(c)
    if run:
        out.append(run)
    return out


def _ngrams(tokens, n):
    counts = {}
    for i in range(len(tokens) - n + 1):
        key = tuple(tokens[i : i + n])
        counts[key] = counts.get(key, 0) + 1
    return counts


def sentence_bleu4(prediction, reference):
    hyp, ref = list(prediction), list(reference)
    p = []
    for n in range(1, 5):
        h, r = _ngrams(hyp, n), _ngrams(ref, n)
        num = sum(min(c, r.get(k, 0)) for k, c in h.items())
        p.append((num, max(1, sum(h.values()))))
    if p[0][0] == 0:
        return 0.0
    c, r = len(hyp), len(ref)
    bp = 1.0 if c > r else (0.0 if c == 0 else math.exp(1 - r / c))
    k, log_sum = 1, 0.0
    for num, den in p:
        if num == 0:
            value = 1 / (2**k * den)
            k += 1
        else:
            value = num / den
        log_sum += 0.25 * math.log(value)
    return bp * math.exp(log_sum)


def _lcs(a, b):
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            cur[j] = prev[j - 1] + 1 if a[i - 1] == b[j - 1] else max(prev[j], cur[j - 1])
        prev = cur
    return prev[len(b)]


def rouge_l(prediction, reference):
    hyp, ref = tokenize(prediction), tokenize(reference)
    if not hyp or not ref:
        return 0.0
    l = _lcs(hyp, ref)
    r, p = l / len(ref), l / len(hyp)
    beta = p / (r + 1e-12)
    return ((1 + beta**2) * r * p) / (r + beta**2 * p + 1e-12)


def _pct(x):
    return math.floor(x * 100 * 10000 + 0.5) / 10000


def _slot_key(name, value):
    if isinstance(value, bool):
        return (name, "boolean", value)
    if isinstance(value, (int, float)):
        return (name, "number", float(value))
    return (name, "string", value)


def score(pairs, wanted=ALL_METRICS):
    if not pairs:
        fail("nothing to score: no examples")
    metrics, notes = {}, []
    n = len(pairs)
    if "bleu-4" in wanted:
        total = 0.0
        for pred, ref in pairs:
            total += sentence_bleu4(pred, ref)
        metrics["bleu-4"] = _pct(total / n)
    if "rouge-l" in wanted:
        total = 0.0
        for pred, ref in pairs:
            total += rouge_l(pred, ref)
        metrics["rouge-l"] = _pct(total / n)
    task = [m for m in wanted if m not in TEXT_METRICS]
    if not task:
        return {"examples": n, "metrics": metrics, "notes": notes}
    refs = [parse_call(ref) for _, ref in pairs]
    bad = next((i for i, r in enumerate(refs) if r is None), None)
    if bad is not None:
        notes.append(
            '%s left out: reference %d is not a {"function": ..., "slots": {...}} call' % (", ".join(task), bad + 1)
        )
        return {"examples": n, "metrics": metrics, "notes": notes}
    valid = fn_right = tp = predicted = gold = 0
    for (pred_text, _), ref in zip(pairs, refs):
        gold_slots = set(_slot_key(k, v) for k, v in ref["slots"].items())
        gold += len(gold_slots)
        pred = parse_call(pred_text)
        if pred is None:
            continue
        valid += 1
        if pred["function"] == ref["function"]:
            fn_right += 1
        for k, v in pred["slots"].items():
            predicted += 1
            if _slot_key(k, v) in gold_slots:
                tp += 1
    precision = (1.0 if gold == 0 else 0.0) if predicted == 0 else tp / predicted
    recall = (1.0 if predicted == 0 else 0.0) if gold == 0 else tp / gold
    f1 = 0.0 if precision + recall == 0 else (2 * precision * recall) / (precision + recall)
    task_values = {
        "json-valid": _pct(valid / n),
        "function-accuracy": _pct(fn_right / n),
        "slot-precision": _pct(precision),
        "slot-recall": _pct(recall),
        "slot-f1": _pct(f1),
    }
    for m in task:
        metrics[m] = task_values[m]
    return {"examples": n, "metrics": metrics, "notes": notes}


def _last_assistant(messages):
    if not isinstance(messages, list):
        return None
    for m in reversed(messages):
        if isinstance(m, dict) and m.get("role") == "assistant" and isinstance(m.get("content"), str):
            return m["content"]
    return None


def read_lines(path, kind):
    keys = ["predict", "prediction"] if kind == "predictions" else ["label"]
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for number, raw in enumerate(f.read().split("\n"), start=1):
            if raw.strip() == "":
                continue
            try:
                o = json.loads(raw)
            except ValueError:
                fail("%s:%d: expected one JSON object per line, got invalid JSON" % (path, number))
            if not isinstance(o, dict):
                fail("%s:%d: expected a JSON object" % (path, number))
            text = next((o[k] for k in keys if isinstance(o.get(k), str)), None)
            if text is None:
                text = _last_assistant(o.get("messages"))
            if text is None:
                fail("%s:%d: no %s text" % (path, number, kind))
            out.append(text)
    if not out:
        fail("%s: no %s (the file is empty)" % (path, kind))
    return out


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--predictions", required=True)
    ap.add_argument("--references", required=True)
    ap.add_argument("--metrics", default=",".join(ALL_METRICS))
    ap.add_argument("--expect-version")
    ap.add_argument("--stack")
    ap.add_argument("--job")
    ap.add_argument("--artifact")
    ap.add_argument("--run-hash")
    ap.add_argument("--dataset-path")
    ap.add_argument("--out")
    a = ap.parse_args(argv)
    with open(a.references, "rb") as f:
        version = hashlib.sha256(f.read()).hexdigest()
    if a.expect_version and version != a.expect_version:
        fail("%s has content version %s, expected %s" % (a.references, version, a.expect_version))
    preds, refs = read_lines(a.predictions, "predictions"), read_lines(a.references, "references")
    if len(preds) != len(refs):
        fail("%d predictions but %d references" % (len(preds), len(refs)))
    wanted = [m for m in a.metrics.split(",") if m]
    unknown = [m for m in wanted if m not in ALL_METRICS]
    if unknown:
        fail("unknown metrics %s" % ", ".join(unknown))
    result = score(list(zip(preds, refs)), wanted)
    for note in result["notes"]:
        sys.stderr.write("score.py: %s\n" % note)
    if a.artifact is None:
        print(json.dumps(result))
        return
    record = {
        "kind": "pai-finetune/evaluation-metrics",
        "artifact": {"stack": a.stack, "job": a.job, "uri": a.artifact, "runHash": a.run_hash},
        "dataset": {"path": a.dataset_path, "contentVersion": version},
        "examples": result["examples"],
        "metrics": result["metrics"],
        "scorer": "score.py",
        "computedAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    text = json.dumps(record, indent=2)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
