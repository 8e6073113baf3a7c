// CRC64NVME of some bytes as S3 reports it (base64), computed by the AWS SDK's own
// implementation: tests hold the gateway's checksums to it, never to the gateway's code.

import { Crc64Nvme } from "@aws-sdk/crc64-nvme";

export async function referenceCrc64nvme(bytes: Uint8Array): Promise<string> {
  const c = new Crc64Nvme();
  c.update(bytes);
  return Buffer.from(await c.digest()).toString("base64");
}
