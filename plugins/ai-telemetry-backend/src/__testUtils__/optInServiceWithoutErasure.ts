import { OptInStore } from '../database/OptInStore';
import { OptInService } from '../optIn/OptInService';
import { PseudonymCache } from '../optIn/PseudonymCache';
import { memoryAuditLog } from './memoryAuditLog';

/**
 * The opt-in service over `optIns`, for tests and benchmarks in which nobody is erased: asking
 * for an erasure fails.
 */
export function optInServiceWithoutErasure(optIns: OptInStore): OptInService {
  return new OptInService({
    optIns,
    pseudonyms: new PseudonymCache('test-pseudonym-key-0123456789'),
    endpoint: async () => 'http://localhost:7007/api/ai-telemetry',
    audit: memoryAuditLog().audit,
    erasure: {
      hasOpenJob: async () => false,
      request: async () => {
        throw new Error('nobody is erased here');
      },
    },
  });
}
