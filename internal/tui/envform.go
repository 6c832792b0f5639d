package tui

import (
	"fmt"
	"strings"

	"github.com/orgstrap/orgstrap/internal/config"
)

// createAccount is the adopt choice that creates a new account.
const createAccount = "no: create a new account"

// envForm edits one environment. Its changes reach the draft only when
// they pass validation.
type envForm struct {
	w        *wizard
	index    int
	form     *form
	adoptIDs []string // account id per adopt option, "" for createAccount
	problems []config.Problem
}

func newEnvForm(w *wizard, index int) *envForm {
	env := w.draft.Environments[index]
	options, ids := []string{createAccount}, []string{""}
	adopt := createAccount
	for _, a := range w.discovery.Accounts {
		if a.ID != env.AccountID && usedByOther(w.draft.Environments, index, a.ID) {
			continue
		}
		label := a.ID + " " + a.Name + " <" + a.Email + ">"
		options, ids = append(options, label), append(ids, a.ID)
		if a.ID == env.AccountID {
			adopt = label
		}
	}
	f := newForm(
		newTextField("Name", env.Name, "Lowercase letters, digits and '-'; used in profile and resource names."),
		newTextField("Account name", env.AccountName, "The member account's name in the organization."),
		newTextField("Email", env.Email, "The account's root email address; AWS requires it to be unused."),
		newTextField("OU", env.OU, "Organizational unit path below the root, such as Workloads/Dev; empty for the root."),
		newChoiceField("Access", string(env.Access), "broad: the role manages the service's resources. "+
			"restricted: adds a permissions boundary on every role it creates.",
			[]string{string(config.AccessBroad), string(config.AccessRestricted)}),
		newChoiceField("Adopt account", adopt, "Use an existing member account instead of creating one.", options),
	)
	return &envForm{w: w, index: index, form: f, adoptIDs: ids}
}

func usedByOther(envs []config.Environment, index int, id string) bool {
	for i, env := range envs {
		if i != index && env.AccountID == id {
			return true
		}
	}
	return false
}

// save validates the form's environment and stores it in the draft. It
// returns false, keeping the problems to show, when validation fails.
func (e *envForm) save() bool {
	fields := e.form.fields
	old := e.w.draft.Environments[e.index]
	env := old
	env.Name = fields[0].Value()
	env.AccountName = fields[1].Value()
	env.Email = fields[2].Value()
	env.OU = strings.Trim(fields[3].Value(), "/")
	env.Access = config.Access(fields[4].Value())
	env.AccountID = e.adoptIDs[fields[5].choice]
	if env.Stage == old.Name {
		env.Stage = env.Name
	}

	// A rename carries the suggested email and account name along.
	base := e.w.baseEmail
	if env.Name != old.Name && env.Email == suggestEmail(base, old.Name) {
		env.Email = suggestEmail(base, env.Name)
	}
	if env.Name != old.Name && env.AccountName == suggestAccountName(base, old.Name) {
		env.AccountName = suggestAccountName(base, env.Name)
	}
	if env.AccountID != "" {
		for _, a := range e.w.discovery.Accounts {
			if a.ID == env.AccountID {
				env.AccountName, env.Email = a.Name, a.Email
			}
		}
	}

	draft := cloneConfig(e.w.draft)
	draft.Environments[e.index] = env
	_, problems, err := checkDraft(draft, e.w.profileNames(), fmt.Sprintf("environments[%d]", e.index))
	if err != nil {
		problems = []config.Problem{{Path: "environments", Message: err.Error()}}
	}
	e.problems = problems
	if len(problems) > 0 {
		return false
	}
	e.w.draft.Environments[e.index] = env
	delete(e.w.accessToCheck, old.AccountID)
	return true
}

func (e *envForm) View(width int) string {
	e.form.width = width
	title := titleStyle.Render(fmt.Sprintf("Environment %d", e.index+1))
	return title + "\n\n" + e.form.View() + "\n" + problemLines(e.problems, width)
}
