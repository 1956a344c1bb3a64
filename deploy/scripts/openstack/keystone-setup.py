# keystone-manage db_sync and bootstrap, then the service project and users, the tenant's domain,
# project and user, and the catalog: in one interpreter and straight through Keystone's own managers
# (what bootstrap does), instead of one keystone-manage start-up per command and about forty API
# calls. Usage: keystone-setup.py KEYSTONE.CONF SPEC.JSON OUT.JSON (OUT.JSON.schema once the schema is made)
#   SPEC: {"admin_password", "service_password", "region", "identity_url", "services": [{"type",
#          "name", "url"}], "service_users": [...], "tenant": {"domain", "project", "user", "password"}}
#   OUT:  the ids: {"domain.tenant", "project.tenant", "project.service", "user.tenant", "role.*", ...}
import json
import sys
import uuid

import keystone.conf
from keystone.cmd import bootstrap
from keystone.common import provider_api
from keystone.common import sql
from keystone.common.sql import upgrades

CONF = keystone.conf.CONF
PROVIDERS = provider_api.ProviderAPIs

config_file, spec_file, out_file = sys.argv[1:4]
with open(spec_file) as f:
    spec = json.load(f)

keystone.conf.configure()
sql.initialize()
keystone.conf.set_default_for_default_log_levels()
CONF(args=['--config-file', config_file], project='keystone')
keystone.conf.setup_logging()

upgrades.offline_sync_database_to_version(None)
open(out_file + '.schema', 'w').close()  # the API can start loading now

boot = bootstrap.Bootstrapper()
boot.admin_username = 'admin'
boot.admin_password = spec['admin_password']
boot.project_name = 'admin'
boot.admin_role_name = 'admin'
boot.service_name = 'keystone'
boot.region_id = spec['region']
boot.public_url = boot.internal_url = boot.admin_url = spec['identity_url']
boot.immutable_roles = True
boot.bootstrap()

ids = {'role.admin': boot.admin_role_id, 'role.member': boot.member_role_id,
       'role.reader': boot.reader_role_id, 'project.admin': boot.project_id,
       'user.admin': boot.admin_user_id}


def new_id():
    return uuid.uuid4().hex


def role(name):
    rid = new_id()
    PROVIDERS.role_api.create_role(rid, {'id': rid, 'name': name})
    return rid


def project(name, domain_id, description=''):
    pid = new_id()
    PROVIDERS.resource_api.create_project(pid, {
        'id': pid, 'name': name, 'domain_id': domain_id, 'enabled': True,
        'description': description})
    return pid


def user(name, domain_id, password):
    return PROVIDERS.identity_api.create_user(user_ref={
        'name': name, 'domain_id': domain_id, 'password': password, 'enabled': True})['id']


def grant(user_id, project_id, role_id):
    PROVIDERS.assignment_api.add_role_to_user_and_project(
        user_id=user_id, project_id=project_id, role_id=role_id)


ids['role.service'] = role('service')
ids['project.service'] = project('service', 'default', 'the services\' users')
for name in spec['service_users']:
    ids['user.' + name] = user(name, 'default', spec['service_password'])
    for r in ('admin', 'service'):
        grant(ids['user.' + name], ids['project.service'], ids['role.' + r])

tenant = spec['tenant']
did = new_id()
PROVIDERS.resource_api.create_domain(did, {
    'id': did, 'name': tenant['domain'], 'enabled': True, 'description': 'the tenant\'s domain'})
ids['domain.tenant'] = did
ids['project.tenant'] = project(tenant['project'], did, 'the facility driver tests\' tenant')
ids['user.tenant'] = user(tenant['user'], did, tenant['password'])
for r in ('member', 'reader'):
    grant(ids['user.tenant'], ids['project.tenant'], ids['role.' + r])

for service in spec['services']:
    sid = new_id()
    PROVIDERS.catalog_api.create_service(sid, {
        'id': sid, 'type': service['type'], 'name': service['name'], 'enabled': True})
    ids['service.' + service['type']] = sid
    for interface in ('public', 'internal', 'admin'):
        eid = new_id()
        PROVIDERS.catalog_api.create_endpoint(eid, {
            'id': eid, 'interface': interface, 'url': service['url'], 'service_id': sid,
            'region_id': spec['region'], 'enabled': True})

with open(out_file, 'w') as f:
    json.dump(ids, f)
