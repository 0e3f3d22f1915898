"""The incident-response runbook: collect and download evidence from every device of an incident.

getMachines finds the Active devices carrying the incident's tag; each gets an investigation package
collection (waited for) and a download of its package into the evidence folder, proven by its SHA-256
and recorded in a manifest beside it. Declared once: `pulumi up` again changes nothing, and a device
tagged later is collected from on the next `up`.
"""

import pulumi
import pulumi_mde as mde

config = pulumi.Config()
tag = config.require("tag")
ticket = config.require("ticket")
evidence_directory = config.get("evidenceDirectory") or "./evidence"

devices = mde.get_machines(tag=tag, health_status="Active").machines

packages = {}
for device in devices:
    # Named after the device, so its resources keep their names whatever order Defender lists them in.
    name = (device.computer_dns_name or device.id).split(".")[0]
    collection = mde.InvestigationPackageCollection(
        name,
        machine_id=device.id,
        comment=f"{ticket}: devices tagged {tag}",
        wait_for_completion=True,
    )
    download = mde.InvestigationPackageDownload(
        f"{name}-package",
        action_id=collection.id,
        directory=evidence_directory,
    )
    packages[name] = {"actionId": collection.action_id, "path": download.path, "sha256": download.sha256}

pulumi.export("devices", [device.id for device in devices])
pulumi.export("packages", packages)
