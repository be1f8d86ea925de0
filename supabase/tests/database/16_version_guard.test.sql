-- The migrations refuse an older PostgreSQL at once, with a clear message
-- (issue 15.8). The first migration calls the guard with 17; here it is asked
-- for versions this server does and does not have.
begin;
select plan(3);
select lives_ok($$select packsync_private.require_server_version(170000)$$, 'this server is PostgreSQL 17 or newer');
select throws_like($$select packsync_private.require_server_version(990000)$$,
  'packsync needs PostgreSQL 99 or newer; this server runs PostgreSQL 1%', 'an older server gets a clear message');
select throws_ok($$select packsync_private.require_server_version(990000)$$, '0A000', null, '... as feature_not_supported');
select * from finish();
rollback;
