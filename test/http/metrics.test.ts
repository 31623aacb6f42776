// /metrics (issue #9): Prometheus text with request counts and latencies by route, SCIM errors
// by scimType, rate-limit rejections and the activity-log backlog.
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';

describeEachDialect(
  'metrics',
  (t) => {
    it('counts requests by route, SCIM errors by scimType and rate-limit rejections', async () => {
      await t().scim.get('/Users');
      await t().scim.get(`/Users?filter=${encodeURIComponent('bogus eq "x"')}`);
      for (let i = 0; i < 4; i++) await t().scim.get('/Users/unknown-id');
      const r = await t().app.inject('/metrics');
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      expect(r.body).toMatch(/wiggledesk_http_requests_total\{route="\/scim\/v2\/Users",method="GET",status="200"\} 1/);
      expect(r.body).toMatch(/wiggledesk_http_request_duration_seconds_bucket\{le="0.1",route="\/scim\/v2\/Users",method="GET"\}/);
      expect(r.body).toMatch(/wiggledesk_scim_errors_total\{scim_type="invalidFilter",status="400"\} 1/);
      expect(r.body).toMatch(/wiggledesk_scim_errors_total\{scim_type="none",status="429"\} \d+/);
      expect(r.body).toMatch(/wiggledesk_rate_limit_rejections_total [1-9]/);
      expect(r.body).toMatch(/wiggledesk_activity_log_backlog \d+/);
      expect(r.body).toMatch(/wiggledesk_process_resident_memory_bytes/);
    });
  },
  { env: { SCIM_RATE_LIMIT_PER_SECOND: '1', SCIM_RATE_LIMIT_BURST: '4' } },
);

describeEachDialect(
  'metrics with a token',
  (t) => {
    it('METRICS_TOKEN protects /metrics', async () => {
      expect((await t().app.inject('/metrics')).statusCode).toBe(401);
      expect((await t().app.inject({ url: '/metrics', headers: { authorization: 'Bearer s3cret-metrics' } })).statusCode).toBe(200);
    });
  },
  { env: { METRICS_TOKEN: 's3cret-metrics' } },
);
