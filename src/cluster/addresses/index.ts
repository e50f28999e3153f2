// Who gets which address: allocation from the CIDRs, the capacity check,
// Service families, the addresses manifests write, Services and pods with
// their addresses settled.

export { CidrAllocator, FamilyPool, type TakenAddresses } from './allocate.js';
export { capacityProblems, capacitySteps, type CapacityOptions } from './capacity.js';
export { scanExplicitAddresses, scanExplicitAddressSteps } from './explicit.js';
export { hash64, Hash64 } from './hash.js';
export { settlePods, type SettledPods } from './podips.js';
export { implicitKubeDnsAddress, settleServiceSteps, type SettledService } from './services.js';
