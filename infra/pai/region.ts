// What an Alibaba Cloud region id looks like (`cn-hangzhou`, `ap-southeast-1`, `cn-wulanchabu`), said
// once for the config schema, the PAI and ECS endpoints, the dynamic providers and the emulator.
// Region list: https://www.alibabacloud.com/help/en/cloud-migration-guide-for-beginners/latest/regions-and-zones

/** Lower-case words joined by `-`, the first of two or more letters. */
export const REGION_ID_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;

/** True for region ids shaped like `cn-hangzhou`. */
export function isRegionId(value: string): boolean {
  return REGION_ID_PATTERN.test(value);
}
