"""One deployment stage of ClassReel: what classreel/local/bootstrap.py creates locally,
plus identity, the ffmpeg layer, the app's functions and API, the web origin and alarms."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, CfnOutput, Duration, Stack, Tags
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from chalicelib.jobs.queues import work_queues
from chalicelib.storage.keys import RAW_PREFIX
from infrastructure.constructs.alarms import Alarms
from infrastructure.constructs.api_logging import api_name, configure_api_stage
from infrastructure.constructs.chalice_app import ChaliceApp, camel
from infrastructure.constructs.container_function import ContainerFunction, stage_build_context
from infrastructure.constructs.email import Email
from infrastructure.constructs.ffmpeg_layer import FfmpegLayer
from infrastructure.constructs.firewall import ApiFirewall
from infrastructure.constructs.identity import Identity
from infrastructure.constructs.playback_keys import PlaybackKeys
from infrastructure.constructs.queues import WorkQueue
from infrastructure.constructs.storage import Storage
from infrastructure.constructs.table import Table
from infrastructure.constructs.web import WebDistribution
from infrastructure.deployment import DeploymentConfig, app_defaults
from infrastructure.stacks.functions import AppResources, container_specs, function_specs

PROJECT_DIR = Path(__file__).resolve().parents[2]
# A video (or webhook event) waiting this long for a worker means the workers
# are stuck or capped too low for the load.
QUEUE_BACKLOG_ALARM_AGE = Duration.hours(1)


class ClassReelStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        package_dir: Path,
        description: str,
    ) -> None:
        super().__init__(scope, construct_id, description=description)
        Tags.of(self).add("app", "classreel")
        Tags.of(self).add("stage", config.stage)
        settings = app_defaults()

        storage = Storage(self, "Storage", config=config)
        # The app's queue registry, with this stage's names.
        settings = settings.model_copy(update={"queue_prefix": config.name("").rstrip("-")})
        queues = {
            key: WorkQueue(self, f"{key.capitalize()}Queue", spec=spec, settings=settings)
            for key, spec in work_queues(settings).items()
        }
        # S3 ObjectCreated under raw/ → ingest queue, as the local bootstrap wires it.
        queues["ingest"].accept_notifications_from(storage.uploads_name)
        queues["ingest"].subscribe(storage.uploads, prefix=RAW_PREFIX)
        email = Email(
            self,
            "Email",
            domain=config.email_domain,
            configuration_set_name=config.name("email"),
            topic_name=config.name("email-feedback"),
            feedback=queues["feedback"],
        )
        table = Table(self, "Data", table_name=config.name("data")).table
        identity = Identity(self, "Identity", config=config)
        ffmpeg = FfmpegLayer(self, "Ffmpeg", layer_name=config.name("ffmpeg"))
        playback = PlaybackKeys(self, "Playback", secret_name=config.name("playback-signing-key"))

        environment = {
            "CLASSREEL_REGION": Aws.REGION,
            "CLASSREEL_UPLOADS_BUCKET": storage.uploads.bucket_name,
            "CLASSREEL_MEDIA_BUCKET": storage.media.bucket_name,
            "CLASSREEL_TABLE_NAME": table.table_name,
            "CLASSREEL_WORKER_TIMEOUT_S": str(settings.worker_timeout_s),
            "CLASSREEL_QUEUE_PREFIX": settings.queue_prefix,
            # URLs by registry key, so no function needs sqs:GetQueueUrl.
            "CLASSREEL_QUEUE_URLS": self.to_json_string(
                {k: v for queue in queues.values() for k, v in queue.urls().items()}
            ),
            **identity.environment(),
            # Notifications' email (chalicelib/notifications): SES, and the web client's
            # address for the links (written to SSM below, once the distribution exists).
            "CLASSREEL_EMAIL_TRANSPORT": "ses",
            "CLASSREEL_EMAIL_FROM": email.sender,
            "CLASSREEL_SES_CONFIGURATION_SET": email.configuration_set.configuration_set_name,
            "CLASSREEL_WEB_URL_PARAMETER": config.web_url_parameter,
            "CLASSREEL_API_BASE_PATH": "/api",
        }
        resources = AppResources(
            storage=storage,
            table=table,
            queues=queues,
            ffmpeg=ffmpeg,
            playback=playback,
            email=email,
            identity=identity,
            web_url_parameter=config.web_url_parameter,
        )
        self.app = ChaliceApp(
            self,
            "App",
            project_dir=PROJECT_DIR,
            package_dir=package_dir,
            # app.py names the queue of each handler when it is imported.
            import_environment={"CLASSREEL_QUEUE_PREFIX": settings.queue_prefix},
            environment=environment,
            functions=function_specs(resources, settings, config),
            function_name=lambda key: config.name(key.replace("_", "-")),
            log_retention=config.log_retention,
        )
        configure_api_stage(self.app.api, config=config)
        ApiFirewall(
            self,
            "ApiFirewall",
            api=self.app.api,
            name=config.name("api-firewall"),
            anonymous_per_minute=settings.limit_anonymous_requests_per_address_per_minute,
        )
        # Queues consumed by container images (face redaction): not app.py handlers.
        containers = container_specs(resources, settings, config)
        self.containers = {
            key: ContainerFunction(
                self,
                f"{camel(key)}Worker",
                key=key,
                handler=queue.spec.handler,
                context_dir=stage_build_context(PROJECT_DIR, package_dir / f"{key}-image"),
                spec=containers[key],
                function_name=config.name(key),
                environment=environment,
                log_retention=config.log_retention,
            )
            for key, queue in queues.items()
            if queue.spec.container_image
        }

        web = WebDistribution(
            self,
            "Web",
            api_domain=f"{self.app.api.ref}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}",
            access_logs=storage.access_logs,
            comment=f"ClassReel {config.stage}: web client and /api",
            # Presigned URLs name a bucket's global or regional endpoint.
            connect_origins=[
                identity.hosted_ui_url,
                *_bucket_origins(storage.uploads),
            ],
            media_origins=_bucket_origins(storage.media),
            media=storage.media,
            playback_keys=playback.key_group,
        )
        # Cognito's hosted UI sends people back to the web client's root.
        identity.allow_web_origin(f"{web.url}/")
        ssm.StringParameter(
            self,
            "WebUrlForEmails",
            parameter_name=config.web_url_parameter,
            string_value=web.url,
            description="The web client's address, for the links in ClassReel's emails",
        )

        alarms = Alarms(self, "Alarms", topic_name=config.name("alarms"), email=config.alarm_email)
        for queue in queues.values():
            alarms.dead_letters(queue)
            alarms.backlog(queue, max_age=QUEUE_BACKLOG_ALARM_AGE)
        watched = [(f.key, f.function_name) for f in self.app.functions.values()]
        watched += [(f.key, f.function_name) for f in self.containers.values()]
        for key, function_name in watched:
            alarms.function_errors(f"{camel(key)}Errors", function_name)
        stage = self.app.api.stage_name
        if not isinstance(stage, str):
            raise TypeError("Chalice's template names the API stage")
        alarms.api_errors(api_name(config), stage)
        alarms.api_latency(api_name(config), stage)

        self._outputs(storage, identity, web, alarms)

    def _outputs(
        self, storage: Storage, identity: Identity, web: WebDistribution, alarms: Alarms
    ) -> None:
        outputs = {
            "WebUrl": web.url,
            "ApiUrl": f"{web.url}/api/",
            "UploadsBucket": storage.uploads.bucket_name,
            "MediaBucket": storage.media.bucket_name,
            "WebBucket": web.bucket.bucket_name,
            "DistributionId": web.distribution.distribution_id,
            "UserPoolId": identity.user_pool.user_pool_id,
            "UserPoolClientId": identity.client_id,
            "HostedUiUrl": identity.hosted_ui_url,
            "AlarmTopicArn": alarms.topic.topic_arn,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)


def _bucket_origins(bucket: s3.IBucket) -> list[str]:
    return [f"https://{bucket.bucket_domain_name}", f"https://{bucket.bucket_regional_domain_name}"]
