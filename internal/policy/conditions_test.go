package policy

import (
	"fmt"
	"testing"
)

// conditionCase is one Condition element checked against one request
// context: want is true when a statement with that condition applies.
type conditionCase struct {
	name      string
	condition string
	context   map[string][]string
	want      bool
}

// checkConditions evaluates each case as the condition of an Allow
// statement on every action and resource.
func checkConditions(t *testing.T, tests []conditionCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
				"Action":"*","Resource":"*","Condition":%s}]}`, tt.condition)
			p := named(t, "p", doc)
			req := Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: tt.context}

			got := Evaluate(req, []NamedPolicy{p}, nil).Decision == Allow
			if got != tt.want {
				t.Errorf("condition %s with context %v applies = %v, want %v",
					tt.condition, tt.context, got, tt.want)
			}
		})
	}
}

func TestStringConditions(t *testing.T) {
	checkConditions(t, []conditionCase{
		{"StringEquals match", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`,
			ctx("aws:PrincipalTag/job-category", "iamuser-admin"), true},
		{"StringEquals case of value kept", `{"StringEquals":{"aws:username":"johndoe"}}`,
			ctx("aws:username", "JohnDoe"), false},
		{"StringEquals key name case ignored", `{"StringEquals":{"AWS:UserName":"johndoe"}}`,
			ctx("aws:username", "johndoe"), true},
		{"StringEquals missing key", `{"StringEquals":{"aws:username":"johndoe"}}`,
			nil, false},
		{"StringEquals values ORed", `{"StringEquals":{"aws:PrincipalTag/department":["finance","hr","legal"]}}`,
			ctx("aws:PrincipalTag/department", "hr"), true},
		{"StringEquals keys ANDed", `{"StringEquals":{"aws:PrincipalTag/department":"hr","aws:PrincipalTag/role":"audit"}}`,
			ctx("aws:PrincipalTag/department", "hr", "aws:PrincipalTag/role", "dev"), false},
		{"StringEquals keys ANDed all match", `{"StringEquals":{"aws:PrincipalTag/department":"hr","aws:PrincipalTag/role":"audit"}}`,
			ctx("aws:PrincipalTag/department", "hr", "aws:PrincipalTag/role", "audit"), true},
		{"operators ANDed", `{"StringEquals":{"aws:PrincipalTag/department":"hr"},"Bool":{"aws:SecureTransport":"true"}}`,
			ctx("aws:PrincipalTag/department", "hr", "aws:SecureTransport", "false"), false},
		{"StringNotEquals differs", `{"StringNotEquals":{"aws:PrincipalTag/department":["finance","hr"]}}`,
			ctx("aws:PrincipalTag/department", "legal"), true},
		{"StringNotEquals NOR of values", `{"StringNotEquals":{"aws:PrincipalTag/department":["finance","hr"]}}`,
			ctx("aws:PrincipalTag/department", "hr"), false},
		{"StringNotEquals missing key is true", `{"StringNotEquals":{"aws:PrincipalTag/department":"hr"}}`,
			nil, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:username":"johndoe"}}`,
			ctx("aws:username", "JohnDoe"), true},
		{"StringNotEqualsIgnoreCase equal", `{"StringNotEqualsIgnoreCase":{"aws:username":"johndoe"}}`,
			ctx("aws:username", "JOHNDOE"), false},
		{"StringNotEqualsIgnoreCase differs", `{"StringNotEqualsIgnoreCase":{"aws:username":"johndoe"}}`,
			ctx("aws:username", "jane"), true},
		{"StringLike star", `{"StringLike":{"s3:prefix":["home/*"]}}`,
			ctx("s3:prefix", "home/a/b"), true},
		{"StringLike question mark", `{"StringLike":{"ec2:InstanceType":"t?.micro"}}`,
			ctx("ec2:InstanceType", "t3.micro"), true},
		{"StringLike question mark is one character", `{"StringLike":{"ec2:InstanceType":"t?.micro"}}`,
			ctx("ec2:InstanceType", "t3a.micro"), false},
		{"StringLike is case-sensitive", `{"StringLike":{"s3:prefix":"home/*"}}`,
			ctx("s3:prefix", "Home/a"), false},
		{"StringNotLike matching value", `{"StringNotLike":{"s3:prefix":["home/*","public/*"]}}`,
			ctx("s3:prefix", "public/x"), false},
		{"StringNotLike other value", `{"StringNotLike":{"s3:prefix":["home/*","public/*"]}}`,
			ctx("s3:prefix", "private/x"), true},
		{"StringNotLike missing key is true", `{"StringNotLike":{"s3:prefix":"home/*"}}`,
			nil, true},
		{"StringEqualsIfExists missing key", `{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`,
			nil, true},
		{"StringEqualsIfExists present and different", `{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`,
			ctx("ec2:InstanceType", "m5.large"), false},
		{"StringLikeIfExists present and matching", `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}`,
			ctx("ec2:InstanceType", "t2.small"), true},
		{"StringNotEqualsIfExists present and equal", `{"StringNotEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`,
			ctx("ec2:InstanceType", "t3.micro"), false},
		{"empty string value present", `{"StringEquals":{"s3:prefix":""}}`,
			ctx("s3:prefix", ""), true},
		{"single-valued operator on several values", `{"StringEquals":{"aws:TagKeys":"env"}}`,
			ctx("aws:TagKeys", "owner", "aws:TagKeys", "env"), true},
		{"negated single-valued operator on several values", `{"StringNotEquals":{"aws:TagKeys":"env"}}`,
			ctx("aws:TagKeys", "owner", "aws:TagKeys", "env"), false},
	})
}

func TestNumericConditions(t *testing.T) {
	checkConditions(t, []conditionCase{
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), true},
		{"NumericEquals decimal form", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10.0"), true},
		{"NumericEquals differs", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "11"), false},
		{"NumericEquals JSON number", `{"NumericEquals":{"s3:max-keys":10}}`, ctx("s3:max-keys", "10"), true},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "11"), true},
		{"NumericNotEquals equal", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), false},
		{"NumericNotEquals missing key", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, nil, true},
		{"NumericLessThan", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "9"), true},
		{"NumericLessThan equal", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), true},
		{"NumericLessThanEquals above", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "11"), false},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10.5"), true},
		{"NumericGreaterThan equal", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), false},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), true},
		{"NumericGreaterThanEquals below", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "-3"), false},
		{"Numeric missing key", `{"NumericLessThan":{"s3:max-keys":"10"}}`, nil, false},
		{"Numeric not a number", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "ten"), false},
		{"NumericLessThanIfExists missing key", `{"NumericLessThanIfExists":{"s3:max-keys":"10"}}`, nil, true},
	})
}

func TestDateConditions(t *testing.T) {
	const issued = "aws:TokenIssueTime"
	checkConditions(t, []conditionCase{
		{"DateGreaterThan ISO", `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}`,
			ctx(issued, "2026-12-03T22:00:00Z"), true},
		{"DateGreaterThan earlier", `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}`,
			ctx(issued, "2019-12-31T23:59:59Z"), false},
		{"DateEquals across zones", `{"DateEquals":{"aws:CurrentTime":"2026-12-03T12:00:00Z"}}`,
			ctx("aws:CurrentTime", "2026-12-03T13:00:00+01:00"), true},
		{"DateEquals epoch against ISO", `{"DateEquals":{"aws:EpochTime":"1764806400"}}`,
			ctx("aws:EpochTime", "2025-12-04T00:00:00Z"), true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2026-12-03T12:00:00Z"}}`,
			ctx("aws:CurrentTime", "2026-12-03T12:00:01Z"), true},
		{"DateNotEquals equal", `{"DateNotEquals":{"aws:CurrentTime":"2026-12-03T12:00:00Z"}}`,
			ctx("aws:CurrentTime", "2026-12-03T12:00:00.000Z"), false},
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`,
			ctx("aws:CurrentTime", "2026-12-03T22:00:00Z"), true},
		{"DateLessThan date only", `{"DateLessThan":{"aws:CurrentTime":"2026-12-03"}}`,
			ctx("aws:CurrentTime", "2026-12-03T00:00:01Z"), false},
		{"DateLessThanEquals equal", `{"DateLessThanEquals":{"aws:CurrentTime":"2026-12-03T00:00:00Z"}}`,
			ctx("aws:CurrentTime", "2026-12-03"), true},
		{"DateGreaterThanEquals equal epoch", `{"DateGreaterThanEquals":{"aws:EpochTime":"1764806400"}}`,
			ctx("aws:EpochTime", "1764806400"), true},
		{"DateGreaterThanEquals earlier epoch", `{"DateGreaterThanEquals":{"aws:EpochTime":"1764806400"}}`,
			ctx("aws:EpochTime", "1764806399"), false},
		{"DateEquals compact ISO form", `{"DateEquals":{"aws:CurrentTime":"20261203T120000Z"}}`,
			ctx("aws:CurrentTime", "2026-12-03T12:00:00Z"), true},
		{"DateGreaterThan fractional epoch", `{"DateGreaterThan":{"aws:EpochTime":"1764806400"}}`,
			ctx("aws:EpochTime", "1764806400.5"), true},
		{"DateLessThan invalid policy date", `{"DateLessThan":{"aws:CurrentTime":"2027-13-01"}}`,
			ctx("aws:CurrentTime", "2026-12-03T00:00:00Z"), false},
		{"Date missing key", `{"DateLessThan":{"aws:TokenIssueTime":"2027-01-01T00:00:00Z"}}`, nil, false},
		{"Date unparsable value", `{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`,
			ctx("aws:CurrentTime", "yesterday"), false},
		{"DateGreaterThanIfExists missing key", `{"DateGreaterThanIfExists":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}`,
			nil, true},
	})
}

func TestBoolBinaryAndIPConditions(t *testing.T) {
	checkConditions(t, []conditionCase{
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:SecureTransport", "true"), true},
		{"Bool JSON boolean", `{"Bool":{"aws:SecureTransport":true}}`, ctx("aws:SecureTransport", "true"), true},
		{"Bool mismatch", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:SecureTransport", "false"), false},
		{"Bool case of value ignored", `{"Bool":{"aws:SecureTransport":"True"}}`, ctx("aws:SecureTransport", "TRUE"), true},
		{"Bool missing key", `{"Bool":{"aws:SecureTransport":"false"}}`, nil, false},
		{"Bool policy value not a boolean", `{"Bool":{"aws:SecureTransport":"yes"}}`, ctx("aws:SecureTransport", "true"), false},
		{"Bool request value not a boolean", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:SecureTransport", "1x"), false},
		{"BoolIfExists missing key", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`, nil, true},
		{"BoolIfExists present false", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`,
			ctx("aws:MultiFactorAuthPresent", "false"), false},
		{"BinaryEquals", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`,
			ctx("key", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="), true},
		{"BinaryEquals raw request bytes", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`,
			ctx("key", "BinaryValueInBase64"), true},
		{"BinaryEquals differs", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`,
			ctx("key", "b3RoZXI="), false},
		{"IpAddress in range", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`,
			ctx("aws:SourceIp", "203.0.113.77"), true},
		{"IpAddress out of range", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`,
			ctx("aws:SourceIp", "198.51.100.7"), false},
		{"IpAddress single address", `{"IpAddress":{"aws:SourceIp":"203.0.113.5"}}`,
			ctx("aws:SourceIp", "203.0.113.5"), true},
		{"IpAddress IPv6", `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}`,
			ctx("aws:SourceIp", "2001:db8:1234:5678::9"), true},
		{"IpAddress IPv6 outside", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`,
			ctx("aws:SourceIp", "2001:db8:1234:5679::1"), false},
		{"IpAddress IPv4-mapped request", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`,
			ctx("aws:SourceIp", "::ffff:203.0.113.9"), true},
		{"IpAddress IPv4-mapped range", `{"IpAddress":{"aws:SourceIp":"::ffff:203.0.113.0/120"}}`,
			ctx("aws:SourceIp", "203.0.113.9"), true},
		{"IpAddress invalid range", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/33"}}`,
			ctx("aws:SourceIp", "203.0.113.9"), false},
		{"IpAddress invalid single address", `{"IpAddress":{"aws:SourceIp":"203.0.113"}}`,
			ctx("aws:SourceIp", "203.0.113.0"), false},
		{"IpAddress not an address", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`,
			ctx("aws:SourceIp", "cloudformation.amazonaws.com"), false},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`,
			ctx("aws:SourceIp", "198.51.100.1"), true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`,
			ctx("aws:SourceIp", "192.0.2.9"), false},
		{"NotIpAddress missing key", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, nil, true},
	})
}

func TestARNConditions(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:123456789012:alerts"
	checkConditions(t, []conditionCase{
		{"ArnEquals", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:alerts"}}`,
			ctx("aws:SourceArn", topic), true},
		{"ArnEquals with wildcards per part", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}`,
			ctx("aws:SourceArn", topic), true},
		{"ArnLike", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-*:123456789012:al?rts"}}`,
			ctx("aws:SourceArn", topic), true},
		{"ArnLike wildcard stays in its part", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:alerts"}}`,
			ctx("aws:SourceArn", topic), false},
		{"ArnLike case-sensitive", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:Alerts"}}`,
			ctx("aws:SourceArn", topic), false},
		{"ArnLike resource part keeps colons", `{"ArnLike":{"aws:SourceArn":"arn:aws:logs:*:*:log-group:app:*"}}`,
			ctx("aws:SourceArn", "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x"), true},
		{"ArnLike request not an ARN", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}`,
			ctx("aws:SourceArn", "alerts"), false},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/Admin"}}`,
			ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:role/Dev"), true},
		{"ArnNotEquals equal", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/Admin"}}`,
			ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:role/Admin"), false},
		{"ArnNotLike", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`,
			ctx("aws:PrincipalArn", "arn:aws:iam::123456789012:role/Admins"), false},
		{"ArnNotLike missing key", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`,
			nil, true},
		{"ArnLikeIfExists missing key", `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}`,
			nil, true},
	})
}

func TestNullCondition(t *testing.T) {
	checkConditions(t, []conditionCase{
		{"Null true with key missing", `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true},
		{"Null true with key present", `{"Null":{"aws:TokenIssueTime":"true"}}`,
			ctx("aws:TokenIssueTime", "2026-12-03T00:00:00Z"), false},
		{"Null false with key present", `{"Null":{"aws:TokenIssueTime":"false"}}`,
			ctx("aws:TokenIssueTime", "2026-12-03T00:00:00Z"), true},
		{"Null false with key missing", `{"Null":{"aws:TokenIssueTime":"false"}}`, nil, false},
		{"Null JSON boolean", `{"Null":{"aws:TokenIssueTime":true}}`, nil, true},
		{"Null key with no values", `{"Null":{"aws:TagKeys":"true"}}`,
			map[string][]string{"aws:TagKeys": {}}, true},
		{"Null several keys ANDed", `{"Null":{"aws:TokenIssueTime":"true","aws:SourceIp":"false"}}`,
			ctx("aws:SourceIp", "192.0.2.1"), true},
	})
}

func TestSetConditions(t *testing.T) {
	const allowedKeys = `["environment","cost-center"]`
	checkConditions(t, []conditionCase{
		{"ForAllValues every value allowed", `{"ForAllValues:StringEquals":{"aws:TagKeys":` + allowedKeys + `}}`,
			ctx("aws:TagKeys", "environment", "aws:TagKeys", "cost-center"), true},
		{"ForAllValues one value outside", `{"ForAllValues:StringEquals":{"aws:TagKeys":` + allowedKeys + `}}`,
			ctx("aws:TagKeys", "environment", "aws:TagKeys", "owner"), false},
		{"ForAllValues missing key is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":` + allowedKeys + `}}`,
			nil, true},
		{"ForAllValues empty key is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":` + allowedKeys + `}}`,
			map[string][]string{"aws:TagKeys": {}}, true},
		{"ForAllValues values case-sensitive", `{"ForAllValues:StringEquals":{"aws:TagKeys":` + allowedKeys + `}}`,
			ctx("aws:TagKeys", "Environment"), false},
		{"ForAllValues StringEqualsIgnoreCase", `{"ForAllValues:StringEqualsIgnoreCase":{"aws:TagKeys":` + allowedKeys + `}}`,
			ctx("aws:TagKeys", "Environment"), true},
		{"ForAllValues StringLike", `{"ForAllValues:StringLike":{"aws:TagKeys":["key1*"]}}`,
			ctx("aws:TagKeys", "key1a", "aws:TagKeys", "key1b"), true},
		{"ForAllValues StringNotLike none match", `{"ForAllValues:StringNotLike":{"aws:TagKeys":["admin*","secret*"]}}`,
			ctx("aws:TagKeys", "env", "aws:TagKeys", "owner"), true},
		{"ForAllValues StringNotLike one matches", `{"ForAllValues:StringNotLike":{"aws:TagKeys":["admin*","secret*"]}}`,
			ctx("aws:TagKeys", "env", "aws:TagKeys", "secret-x"), false},
		{"ForAnyValue one value matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","webserver"]}}`,
			ctx("aws:TagKeys", "owner", "aws:TagKeys", "webserver"), true},
		{"ForAnyValue no value matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","webserver"]}}`,
			ctx("aws:TagKeys", "owner"), false},
		{"ForAnyValue missing key is false", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`,
			nil, false},
		{"ForAnyValue empty key is false", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`,
			map[string][]string{"aws:TagKeys": {}}, false},
		{"ForAnyValue StringNotEquals one differs", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["environment"]}}`,
			ctx("aws:TagKeys", "environment", "aws:TagKeys", "owner"), true},
		{"ForAnyValue StringNotEquals none differ", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["environment"]}}`,
			ctx("aws:TagKeys", "environment"), false},
		{"ForAnyValue StringNotEquals missing key", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["environment"]}}`,
			nil, false},
		{"ForAnyValue StringLikeIfExists missing key", `{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["env*"]}}`,
			nil, true},
		{"ForAnyValue ArnLike", `{"ForAnyValue:ArnLike":{"aws:PrincipalServiceNamesList":["arn:aws:iam::*:role/x"]}}`,
			ctx("aws:PrincipalServiceNamesList", "arn:aws:iam::1:role/y", "aws:PrincipalServiceNamesList", "arn:aws:iam::2:role/x"), true},
		{"ForAllValues NumericLessThan", `{"ForAllValues:NumericLessThan":{"example:Sizes":"100"}}`,
			ctx("example:Sizes", "3", "example:Sizes", "99"), true},
	})
}

func TestConditionUnknownOperator(t *testing.T) {
	checkConditions(t, []conditionCase{
		{"misspelled operator applies to nothing", `{"StringEqual":{"aws:username":"a"}}`,
			ctx("aws:username", "a"), false},
		{"operator names are case-sensitive", `{"stringequals":{"aws:username":"a"}}`,
			ctx("aws:username", "a"), false},
		{"Null takes no IfExists", `{"NullIfExists":{"aws:username":"true"}}`, nil, false},
	})
}

func TestParseOperator(t *testing.T) {
	tests := []struct {
		name     string
		set      setQualifier
		ifExists bool
		negated  bool
		ok       bool
	}{
		{"StringEquals", singleValued, false, false, true},
		{"ForAllValues:StringNotLikeIfExists", forAllValues, true, true, true},
		{"ForAnyValue:ArnLike", forAnyValue, false, false, true},
		{"NotIpAddressIfExists", singleValued, true, true, true},
		{"Null", singleValued, false, false, true},
		{"ForAnyValue:Null", forAnyValue, false, false, false},
		{"IfExists", singleValued, true, false, false},
		{"ForAllValues:", forAllValues, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, ok := parseOperator(tt.name)
			if ok != tt.ok {
				t.Fatalf("parseOperator(%q) ok = %v, want %v", tt.name, ok, tt.ok)
			}
			if !ok {
				return
			}
			if op.set != tt.set {
				t.Errorf("parseOperator(%q).set = %v, want %v", tt.name, op.set, tt.set)
			}
			if op.ifExists != tt.ifExists {
				t.Errorf("parseOperator(%q).ifExists = %v, want %v", tt.name, op.ifExists, tt.ifExists)
			}
			if op.negated != tt.negated {
				t.Errorf("parseOperator(%q).negated = %v, want %v", tt.name, op.negated, tt.negated)
			}
		})
	}
}
