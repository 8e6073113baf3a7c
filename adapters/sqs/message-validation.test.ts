// Message attribute rules as AWS applies them (LocalStack's tests validated against AWS).

import { describe, expect, it } from "vitest";
import type { AwsError } from "../aws/errors.ts";
import { validateMessageAttributes } from "./message-validation.ts";

const failure = (attrs: Record<string, unknown>): { code: string; message: string } | undefined => {
  try {
    validateMessageAttributes(attrs);
  } catch (e) {
    return { code: (e as AwsError).code, message: (e as AwsError).message };
  }
  return undefined;
};

const str = (StringValue: string) => ({ DataType: "String", StringValue });

describe("message attribute validation", () => {
  it("accepts names with letters and digits of any script, and refuses punctuation", () => {
    expect(failure({ "attr.1øßä": str("Valida") })).toBeUndefined();
    expect(failure({ "größe": str("x"), "名前": str("y"), "число٣": str("z") })).toBeUndefined();
    for (const c of ["!", '"', "§", "(", "?", " "]) expect(failure({ [`Invalid-${c}-attr`]: str("Valid") })?.code).toBe("InvalidParameterValue");
    expect(failure({ "Invalid.": str("x") })?.code).toBe("InvalidParameterValue");
    expect(failure({ "aWs.x": str("x") })?.message).toContain("reserved for internal use");
  });

  it("words an empty value as AWS does, and keeps 'must use field' for a missing one", () => {
    expect(failure({ ErrorDetails: str("") })).toEqual({
      code: "InvalidParameterValue",
      message: "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
    });
    expect(failure({ n: { DataType: "Number", StringValue: "" } })?.message).toBe("Message (user) attribute 'n' must contain a non-empty value of type 'Number'.");
    expect(failure({ s: { DataType: "String" } })?.message).toBe("The message attribute 's' with type 'String' must use field 'String'.");
  });

  it("refuses invalid characters in a String value as InvalidParameterValue, not InvalidMessageContents", () => {
    const f = failure({ attr1: str(`Invalid-${String.fromCharCode(8)},${String.fromCharCode(11)}`) });
    expect(f?.code).toBe("InvalidParameterValue");
    expect(f?.message).toContain("Invalid characters found.");
  });
});
