package library

// escalationPath is a set of permissions that together let the holder gain
// more privileges than it was given.
type escalationPath struct {
	Name    string
	Actions []string
}

// escalationPaths follows Rhino Security Labs' list of AWS IAM privilege
// escalation methods, plus CloudFormation's stack-role variant: a stack that
// already has a powerful service role can be updated without iam:PassRole.
var escalationPaths = []escalationPath{
	{"new version of a managed policy", []string{"iam:CreatePolicyVersion"}},
	{"switch a managed policy's default version", []string{"iam:SetDefaultPolicyVersion"}},
	{"attach a policy to a user", []string{"iam:AttachUserPolicy"}},
	{"attach a policy to a group", []string{"iam:AttachGroupPolicy"}},
	{"attach a policy to a role", []string{"iam:AttachRolePolicy"}},
	{"inline policy on a user", []string{"iam:PutUserPolicy"}},
	{"inline policy on a group", []string{"iam:PutGroupPolicy"}},
	{"inline policy on a role", []string{"iam:PutRolePolicy"}},
	{"join a group", []string{"iam:AddUserToGroup"}},
	{"rewrite a role's trust policy and assume it", []string{"iam:UpdateAssumeRolePolicy", "sts:AssumeRole"}},
	{"access key for another user", []string{"iam:CreateAccessKey"}},
	{"console password for another user", []string{"iam:CreateLoginProfile"}},
	{"change another user's console password", []string{"iam:UpdateLoginProfile"}},
	{"pass a role to an EC2 instance", []string{"iam:PassRole", "ec2:RunInstances"}},
	{"pass a role to a new function and invoke it", []string{"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"}},
	{"pass a role to a new function with a trigger", []string{"iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"}},
	{"pass a role to a new function and expose it", []string{"iam:PassRole", "lambda:CreateFunction", "lambda:AddPermission"}},
	{"swap an existing function's role", []string{"iam:PassRole", "lambda:UpdateFunctionConfiguration"}},
	{"replace an existing function's code", []string{"lambda:UpdateFunctionCode"}},
	{"pass a role to a Glue development endpoint", []string{"iam:PassRole", "glue:CreateDevEndpoint"}},
	{"take over a Glue development endpoint", []string{"glue:UpdateDevEndpoint"}},
	{"pass a role to a Glue job", []string{"iam:PassRole", "glue:CreateJob", "glue:StartJobRun"}},
	{"pass a role to a CloudFormation stack", []string{"iam:PassRole", "cloudformation:CreateStack"}},
	{"pass a role to a stack set", []string{"iam:PassRole", "cloudformation:CreateStackSet", "cloudformation:CreateStackInstances"}},
	{"update a stack that has a service role", []string{"cloudformation:UpdateStack"}},
	{"change set on a stack that has a service role", []string{"cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"}},
	{"pass a role to a data pipeline", []string{"iam:PassRole", "datapipeline:CreatePipeline"}},
	{"pass a role to a CodeBuild project", []string{"iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"}},
	{"pass a role to an ECS task", []string{"iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"}},
	{"pass a role to a SageMaker notebook", []string{"iam:PassRole", "sagemaker:CreateNotebookInstance"}},
	{"pass a role to an App Runner service", []string{"iam:PassRole", "apprunner:CreateService"}},
}

// extraResourceFormats are ARNs an action accepts beyond the resource types
// the catalogue lists: CloudFormation also authorizes CreateChangeSet against
// the ARN of each transform the template uses, owned by the account "aws".
var extraResourceFormats = map[string][]string{
	"cloudformation:createchangeset": {"arn:*:cloudformation:*:aws:transform/*"},
}

// boundingKeys are condition keys that tie an escalation to the permissions
// boundary or to one service or role.
var boundingKeys = []string{"iam:PermissionsBoundary", "iam:PassedToService", "cloudformation:RoleArn"}
