package etpay

import "github.com/pasarela/pasarela/checkout"

// messages are the funnel's strings; the layout's and the generic pages'
// (result.return, order.reference, …) come from checkout. Spanish is the
// default: ETpay's payers are in Chile (and Mexico).
var messages = checkout.Catalog{
	"etpay.banks.error": {
		ES: "Elige uno de los bancos de la lista.",
		EN: "Choose one of the banks in the list.",
		PT: "Escolha um dos bancos da lista.",
	},
	"etpay.banks.lead": {
		ES: "Pagas con una transferencia desde tu cuenta: ingresarás a tu banco y aprobarás el pago.",
		EN: "You pay by transfer from your account: you will log in to your bank and approve the payment.",
		PT: "Você paga com uma transferência da sua conta: vai entrar no seu banco e aprovar o pagamento.",
	},
	"etpay.banks.title": {
		ES: "Elige tu banco",
		EN: "Choose your bank",
		PT: "Escolha seu banco",
	},
	"etpay.banks.transfer": {
		ES: "Transferencia inmediata",
		EN: "Instant transfer",
		PT: "Transferência imediata",
	},
	"etpay.cancel": {
		ES: "Cancelar pago",
		EN: "Cancel payment",
		PT: "Cancelar pagamento",
	},
	"etpay.login.attempts_left": {
		ES: "La clave no es correcta. Intentos restantes antes de que el pago se bloquee: %d.",
		EN: "The password is not correct. Attempts left before the payment is locked: %d.",
		PT: "A senha não está correta. Tentativas restantes antes de o pagamento ser bloqueado: %d.",
	},
	"etpay.login.change_bank": {
		ES: "Elegir otro banco",
		EN: "Choose another bank",
		PT: "Escolher outro banco",
	},
	"etpay.login.error.password": {
		ES: "Ingresa tu clave.",
		EN: "Enter your password.",
		PT: "Digite sua senha.",
	},
	"etpay.login.error.rut": {
		ES: "El RUT no es válido: revisa el número y el dígito verificador.",
		EN: "The RUT is not valid: check the number and the check digit.",
		PT: "O RUT não é válido: confira o número e o dígito verificador.",
	},
	"etpay.login.error.user": {
		ES: "Ingresa tu usuario (hasta 32 caracteres).",
		EN: "Enter your user ID (up to 32 characters).",
		PT: "Digite seu usuário (até 32 caracteres).",
	},
	"etpay.login.error.wrong": {
		ES: "Clave incorrecta.",
		EN: "Wrong password.",
		PT: "Senha incorreta.",
	},
	"etpay.login.fix": {
		ES: "Revisa los datos marcados.",
		EN: "Please check the marked fields.",
		PT: "Verifique os campos marcados.",
	},
	"etpay.login.lead": {
		ES: "Usa los mismos datos con los que entras al sitio de tu banco.",
		EN: "Use the same details you use on your bank's website.",
		PT: "Use os mesmos dados com que você entra no site do seu banco.",
	},
	"etpay.login.never_stored": {
		ES: "Tu clave va directo a tu banco; no la guardamos.",
		EN: "Your password goes straight to your bank; we never store it.",
		PT: "Sua senha vai direto para o seu banco; nós não a guardamos.",
	},
	"etpay.login.password": {
		ES: "Clave",
		EN: "Password",
		PT: "Senha",
	},
	"etpay.login.rut": {
		ES: "RUT",
		EN: "RUT",
		PT: "RUT",
	},
	"etpay.login.rut_hint": {
		ES: "Con o sin puntos y guion, por ejemplo 11.111.111-1.",
		EN: "With or without dots and dash, for example 11.111.111-1.",
		PT: "Com ou sem pontos e hífen, por exemplo 11.111.111-1.",
	},
	"etpay.login.rut_locked": {
		ES: "El comercio indicó este RUT; no se puede cambiar.",
		EN: "The merchant set this RUT; it cannot be changed.",
		PT: "A loja informou este RUT; ele não pode ser alterado.",
	},
	"etpay.login.submit": {
		ES: "Ingresar",
		EN: "Log in",
		PT: "Entrar",
	},
	"etpay.login.title": {
		ES: "Ingresa a %s",
		EN: "Log in to %s",
		PT: "Entre no %s",
	},
	"etpay.login.user": {
		ES: "Usuario",
		EN: "User ID",
		PT: "Usuário",
	},
	"etpay.login.user_hint": {
		ES: "El usuario con el que entras a tu banco.",
		EN: "The user ID you log in to your bank with.",
		PT: "O usuário com que você entra no seu banco.",
	},
	"etpay.metadata.label": {
		ES: "Detalle del pago",
		EN: "Payment details",
		PT: "Detalhes do pagamento",
	},
	"etpay.outcome.approved.body": {
		ES: "Tu banco aprobó la transferencia. El comercio ya fue notificado.",
		EN: "Your bank approved the transfer. The merchant has been notified.",
		PT: "Seu banco aprovou a transferência. A loja já foi notificada.",
	},
	"etpay.outcome.approved.title": {
		ES: "Pago aprobado",
		EN: "Payment approved",
		PT: "Pagamento aprovado",
	},
	"etpay.outcome.cancelled.body": {
		ES: "Cancelaste el pago y no se hizo ningún cargo.",
		EN: "You cancelled the payment and nothing was charged.",
		PT: "Você cancelou o pagamento e nada foi cobrado.",
	},
	"etpay.outcome.cancelled.title": {
		ES: "Pago cancelado",
		EN: "Payment cancelled",
		PT: "Pagamento cancelado",
	},
	"etpay.outcome.expired.body": {
		ES: "El plazo para pagar terminó y no se hizo ningún cargo.",
		EN: "The time to pay has run out and nothing was charged.",
		PT: "O prazo para pagar terminou e nada foi cobrado.",
	},
	"etpay.outcome.expired.title": {
		ES: "Pago expirado",
		EN: "Payment expired",
		PT: "Pagamento expirado",
	},
	"etpay.outcome.insufficient_funds.body": {
		ES: "Tu banco rechazó la transferencia por saldo insuficiente. No se hizo ningún cargo.",
		EN: "Your bank declined the transfer for insufficient funds. Nothing was charged.",
		PT: "Seu banco recusou a transferência por saldo insuficiente. Nada foi cobrado.",
	},
	"etpay.outcome.insufficient_funds.title": {
		ES: "Saldo insuficiente",
		EN: "Insufficient funds",
		PT: "Saldo insuficiente",
	},
	"etpay.outcome.pending.body": {
		ES: "Tu banco recibió la transferencia y la confirmará en breve. El comercio recibirá el resultado apenas se confirme.",
		EN: "Your bank received the transfer and will confirm it shortly. The merchant will get the result as soon as it is confirmed.",
		PT: "Seu banco recebeu a transferência e vai confirmá-la em breve. A loja receberá o resultado assim que for confirmada.",
	},
	"etpay.outcome.pending.title": {
		ES: "Esperando confirmación del banco",
		EN: "Waiting for the bank's confirmation",
		PT: "Aguardando a confirmação do banco",
	},
	"etpay.outcome.refresh": {
		ES: "Ver el estado actualizado",
		EN: "Check the status again",
		PT: "Ver o status atualizado",
	},
	"etpay.outcome.rejected.body": {
		ES: "Tu banco no aprobó la transferencia y no se hizo ningún cargo. Puedes volver al comercio e intentarlo de nuevo.",
		EN: "Your bank did not approve the transfer and nothing was charged. You can go back to the merchant and try again.",
		PT: "Seu banco não aprovou a transferência e nada foi cobrado. Você pode voltar à loja e tentar novamente.",
	},
	"etpay.outcome.rejected.title": {
		ES: "Transferencia rechazada",
		EN: "Transfer declined",
		PT: "Transferência recusada",
	},
	"etpay.outcome.token": {
		ES: "Código de la transacción: %s",
		EN: "Transaction code: %s",
		PT: "Código da transação: %s",
	},
	"etpay.outcome.too_many_attempts.body": {
		ES: "Ingresaste una clave incorrecta demasiadas veces y bloqueamos este pago por tu seguridad. No se hizo ningún cargo; vuelve al comercio para intentarlo de nuevo.",
		EN: "A wrong password was entered too many times, so we locked this payment for your security. Nothing was charged; go back to the merchant to try again.",
		PT: "Uma senha incorreta foi digitada vezes demais e bloqueamos este pagamento para sua segurança. Nada foi cobrado; volte à loja para tentar novamente.",
	},
	"etpay.outcome.too_many_attempts.title": {
		ES: "Pago bloqueado",
		EN: "Payment locked",
		PT: "Pagamento bloqueado",
	},
	"etpay.review.amount": {
		ES: "Monto",
		EN: "Amount",
		PT: "Valor",
	},
	"etpay.review.approve": {
		ES: "Aprobar transferencia de %s",
		EN: "Approve transfer of %s",
		PT: "Aprovar transferência de %s",
	},
	"etpay.review.bank": {
		ES: "Banco",
		EN: "Bank",
		PT: "Banco",
	},
	"etpay.review.lead": {
		ES: "Revisa los datos y aprueba la transferencia desde tu cuenta en %s.",
		EN: "Check the details and approve the transfer from your account at %s.",
		PT: "Confira os dados e aprove a transferência da sua conta no %s.",
	},
	"etpay.review.merchant": {
		ES: "Comercio",
		EN: "Merchant",
		PT: "Loja",
	},
	"etpay.review.title": {
		ES: "Confirma la transferencia",
		EN: "Confirm the transfer",
		PT: "Confirme a transferência",
	},
	"etpay.sandbox.approve": {
		ES: "pago aprobado",
		EN: "payment approved",
		PT: "pagamento aprovado",
	},
	"etpay.sandbox.nofunds": {
		ES: "saldo insuficiente",
		EN: "insufficient funds",
		PT: "saldo insuficiente",
	},
	"etpay.sandbox.other": {
		ES: "clave incorrecta; a los %d errores el pago se bloquea",
		EN: "wrong password; %d of them lock the payment",
		PT: "senha incorreta; com %d erros o pagamento é bloqueado",
	},
	"etpay.sandbox.other_label": {
		ES: "otra",
		EN: "any other",
		PT: "outra",
	},
	"etpay.sandbox.pending": {
		ES: "el banco confirma más tarde",
		EN: "the bank confirms later",
		PT: "o banco confirma mais tarde",
	},
	"etpay.sandbox.reject": {
		ES: "rechazado por el banco",
		EN: "declined by the bank",
		PT: "recusado pelo banco",
	},
	"etpay.sandbox.rut": {
		ES: "Entra con cualquier RUT de dígito verificador válido, por ejemplo 11.111.111-1.",
		EN: "Log in with any RUT whose check digit is valid, for example 11.111.111-1.",
		PT: "Entre com qualquer RUT de dígito verificador válido, por exemplo 11.111.111-1.",
	},
	"etpay.sandbox.title": {
		ES: "Banco de prueba: la clave decide el resultado",
		EN: "Test bank: the password decides the outcome",
		PT: "Banco de teste: a senha decide o resultado",
	},
	"etpay.terms.link": {
		ES: "Términos y condiciones",
		EN: "Terms and conditions",
		PT: "Termos e condições",
	},
	"etpay.terms.p1": {
		ES: "Este servicio inicia una transferencia desde tu cuenta bancaria al comercio por el monto que ves en pantalla. La transferencia solo se hace si tú la apruebas.",
		EN: "This service starts a transfer from your bank account to the merchant for the amount shown on screen. The transfer is only made if you approve it.",
		PT: "Este serviço inicia uma transferência da sua conta bancária para a loja no valor mostrado na tela. A transferência só é feita se você a aprovar.",
	},
	"etpay.terms.p2": {
		ES: "Tus credenciales bancarias se envían a tu banco y no se guardan. Guardamos el resultado del pago, tu RUT y los datos del pedido para informar al comercio.",
		EN: "Your bank credentials are sent to your bank and are not stored. We keep the payment's result, your RUT and the order details to inform the merchant.",
		PT: "Suas credenciais bancárias são enviadas ao seu banco e não são guardadas. Guardamos o resultado do pagamento, seu RUT e os dados do pedido para informar a loja.",
	},
	"etpay.terms.p3": {
		ES: "El comercio es responsable del producto o servicio que pagas; las devoluciones se acuerdan con él.",
		EN: "The merchant is responsible for what you pay for; refunds are agreed with the merchant.",
		PT: "A loja é responsável pelo que você paga; devoluções são combinadas com ela.",
	},
	"etpay.terms.p4": {
		ES: "Después de varios intentos con una clave incorrecta el pago se bloquea por seguridad; puedes iniciar uno nuevo desde el comercio.",
		EN: "After several attempts with a wrong password the payment is locked for security; you can start a new one at the merchant.",
		PT: "Após várias tentativas com uma senha incorreta o pagamento é bloqueado por segurança; você pode iniciar um novo na loja.",
	},
	"etpay.terms.sandbox": {
		ES: "Modo de prueba: los bancos son simulados y no se mueve dinero real.",
		EN: "Test mode: the banks are simulated and no real money moves.",
		PT: "Modo de teste: os bancos são simulados e nenhum dinheiro real é movimentado.",
	},
	"etpay.terms.title": {
		ES: "Términos y condiciones",
		EN: "Terms and conditions",
		PT: "Termos e condições",
	},
}
