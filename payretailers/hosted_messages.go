package payretailers

import "github.com/pasarela/pasarela/checkout"

// hostedMessages are the strings of the hosted payment pages (hosted_*.html).
var hostedMessages = checkout.Catalog{
	// Method choice.
	"payretailers.methods.title": {
		ES: "Elige cómo pagar",
		EN: "Choose how to pay",
		PT: "Escolha como pagar",
	},
	"payretailers.methods.lead": {
		ES: "Selecciona un medio de pago para continuar.",
		EN: "Select a payment method to continue.",
		PT: "Selecione um meio de pagamento para continuar.",
	},
	"payretailers.methods.invalid": {
		ES: "Elige uno de los medios de pago de la lista.",
		EN: "Choose one of the payment methods in the list.",
		PT: "Escolha um dos meios de pagamento da lista.",
	},
	"payretailers.methods.none": {
		ES: "No hay medios de pago disponibles para este pago. Vuelve al comercio para elegir otra forma de pago.",
		EN: "No payment method is available for this payment. Go back to the merchant to choose another way to pay.",
		PT: "Não há meios de pagamento disponíveis para este pagamento. Volte à loja para escolher outra forma de pagamento.",
	},
	"payretailers.method.card": {
		ES: "Tarjeta",
		EN: "Card",
		PT: "Cartão",
	},
	"payretailers.family.card": {
		ES: "Crédito o débito",
		EN: "Credit or debit",
		PT: "Crédito ou débito",
	},
	"payretailers.family.bank": {
		ES: "Transferencia desde tu banco",
		EN: "Transfer from your bank",
		PT: "Transferência do seu banco",
	},
	"payretailers.family.cash": {
		ES: "Efectivo, con un cupón de pago",
		EN: "Cash, with a payment voucher",
		PT: "Dinheiro, com um comprovante de pagamento",
	},
	"payretailers.cancel": {
		ES: "Cancelar y volver al comercio",
		EN: "Cancel and return to the store",
		PT: "Cancelar e voltar à loja",
	},

	// Card form.
	"payretailers.card.title": {
		ES: "Paga con tarjeta",
		EN: "Pay by card",
		PT: "Pague com cartão",
	},
	"payretailers.card.lead": {
		ES: "Usamos los datos de tu tarjeta solo para este pago y no los guardamos.",
		EN: "We use your card details for this payment only and never store them.",
		PT: "Usamos os dados do seu cartão só para este pagamento e não os guardamos.",
	},
	"payretailers.card.fix": {
		ES: "Revisa los datos marcados. No se hizo ningún cargo.",
		EN: "Please check the marked fields. Nothing was charged.",
		PT: "Verifique os campos marcados. Nada foi cobrado.",
	},
	"payretailers.card.number": {
		ES: "Número de tarjeta",
		EN: "Card number",
		PT: "Número do cartão",
	},
	"payretailers.card.expiry": {
		ES: "Vencimiento",
		EN: "Expiry date",
		PT: "Validade",
	},
	"payretailers.card.expiry_placeholder": {
		ES: "MM/AA",
		EN: "MM/YY",
		PT: "MM/AA",
	},
	"payretailers.card.cvc": {
		ES: "Código de seguridad",
		EN: "Security code",
		PT: "Código de segurança",
	},
	"payretailers.card.cvc_hint": {
		ES: "3 o 4 dígitos",
		EN: "3 or 4 digits",
		PT: "3 ou 4 dígitos",
	},
	"payretailers.card.holder": {
		ES: "Nombre en la tarjeta",
		EN: "Name on card",
		PT: "Nome no cartão",
	},
	"payretailers.card.pay": {
		ES: "Pagar %s",
		EN: "Pay %s",
		PT: "Pagar %s",
	},
	"payretailers.card.error.number": {
		ES: "El número de tarjeta no es válido.",
		EN: "The card number is not valid.",
		PT: "O número do cartão não é válido.",
	},
	"payretailers.card.error.expiry": {
		ES: "Escribe el vencimiento como MM/AA.",
		EN: "Write the expiry date as MM/YY.",
		PT: "Escreva a validade como MM/AA.",
	},
	"payretailers.card.error.expired": {
		ES: "La tarjeta está vencida.",
		EN: "The card has expired.",
		PT: "O cartão está vencido.",
	},
	"payretailers.card.error.cvc": {
		ES: "El código tiene 3 o 4 dígitos.",
		EN: "The code has 3 or 4 digits.",
		PT: "O código tem 3 ou 4 dígitos.",
	},
	"payretailers.card.error.holder": {
		ES: "Escribe el nombre como aparece en la tarjeta.",
		EN: "Write the name as it appears on the card.",
		PT: "Escreva o nome como aparece no cartão.",
	},

	// Simulated bank.
	"payretailers.bank.title": {
		ES: "Ingresa a tu banco",
		EN: "Log in to your bank",
		PT: "Entre no seu banco",
	},
	"payretailers.bank.lead": {
		ES: "Inicia sesión en %s para autorizar la transferencia.",
		EN: "Log in to %s to authorise the transfer.",
		PT: "Entre em %s para autorizar a transferência.",
	},
	"payretailers.bank.fix": {
		ES: "Revisa los datos marcados.",
		EN: "Please check the marked fields.",
		PT: "Verifique os campos marcados.",
	},
	"payretailers.bank.document": {
		ES: "RUT o documento de identidad",
		EN: "Tax ID or identity document",
		PT: "CPF ou documento de identidade",
	},
	"payretailers.bank.password": {
		ES: "Clave",
		EN: "Password",
		PT: "Senha",
	},
	"payretailers.bank.login": {
		ES: "Ingresar",
		EN: "Log in",
		PT: "Entrar",
	},
	"payretailers.bank.note": {
		ES: "Nunca guardamos tus claves bancarias.",
		EN: "We never store your bank passwords.",
		PT: "Nunca guardamos suas senhas bancárias.",
	},
	"payretailers.bank.error.document": {
		ES: "Escribe tu RUT o número de documento.",
		EN: "Enter your tax ID or document number.",
		PT: "Digite seu CPF ou número de documento.",
	},
	"payretailers.bank.error.password": {
		ES: "Escribe tu clave.",
		EN: "Enter your password.",
		PT: "Digite sua senha.",
	},
	"payretailers.bank.error.wrong": {
		ES: "Clave incorrecta. Intentos restantes: %d.",
		EN: "Wrong password. Attempts left: %d.",
		PT: "Senha incorreta. Tentativas restantes: %d.",
	},
	"payretailers.bank.approve.title": {
		ES: "Confirma la transferencia",
		EN: "Confirm the transfer",
		PT: "Confirme a transferência",
	},
	"payretailers.bank.approve.lead": {
		ES: "%s transferirá el monto desde tu cuenta a %s.",
		EN: "%s will transfer the amount from your account to %s.",
		PT: "%s transferirá o valor da sua conta para %s.",
	},
	"payretailers.bank.approve.button": {
		ES: "Aprobar transferencia",
		EN: "Approve transfer",
		PT: "Aprovar transferência",
	},

	// Voucher.
	"payretailers.voucher.title": {
		ES: "Tu cupón de pago",
		EN: "Your payment voucher",
		PT: "Seu comprovante de pagamento",
	},
	"payretailers.voucher.lead": {
		ES: "Paga en efectivo con este cupón en cualquier punto de %s.",
		EN: "Pay in cash with this voucher at any %s outlet.",
		PT: "Pague em dinheiro com este comprovante em qualquer ponto %s.",
	},
	"payretailers.voucher.code": {
		ES: "Código de pago",
		EN: "Payment code",
		PT: "Código de pagamento",
	},
	"payretailers.voucher.network": {
		ES: "Dónde pagar",
		EN: "Where to pay",
		PT: "Onde pagar",
	},
	"payretailers.voucher.expires": {
		ES: "Paga antes del",
		EN: "Pay before",
		PT: "Pague até",
	},
	"payretailers.voucher.transaction": {
		ES: "Transacción",
		EN: "Transaction",
		PT: "Transação",
	},
	"payretailers.voucher.step1": {
		ES: "Ve a un punto de pago de %s.",
		EN: "Go to any %s payment point.",
		PT: "Vá a um ponto de pagamento %s.",
	},
	"payretailers.voucher.step2": {
		ES: "Muestra el código de barras o indica el código de pago y el monto.",
		EN: "Show the barcode, or give the payment code and the amount.",
		PT: "Mostre o código de barras ou informe o código de pagamento e o valor.",
	},
	"payretailers.voucher.step3": {
		ES: "Guarda el comprobante de la caja. El comercio recibirá la confirmación de tu pago.",
		EN: "Keep the receipt from the till. The merchant will receive the confirmation of your payment.",
		PT: "Guarde o recibo do caixa. A loja receberá a confirmação do seu pagamento.",
	},
	"payretailers.voucher.print": {
		ES: "Imprime esta página o guárdala como PDF desde el menú de tu navegador.",
		EN: "Print this page or save it as a PDF from your browser's menu.",
		PT: "Imprima esta página ou salve-a como PDF pelo menu do navegador.",
	},
	"payretailers.voucher.printed": {
		ES: "Conserva este cupón hasta que tu pago se confirme.",
		EN: "Keep this voucher until your payment is confirmed.",
		PT: "Guarde este comprovante até seu pagamento ser confirmado.",
	},

	// Result.
	"payretailers.result.transaction": {
		ES: "Transacción %s",
		EN: "Transaction %s",
		PT: "Transação %s",
	},
	"payretailers.reason.card_declined": {
		ES: "El banco emisor rechazó la tarjeta.",
		EN: "The card issuer declined the card.",
		PT: "O banco emissor recusou o cartão.",
	},
	"payretailers.reason.insufficient_funds": {
		ES: "Fondos insuficientes.",
		EN: "Insufficient funds.",
		PT: "Saldo insuficiente.",
	},
	"payretailers.reason.expired_card": {
		ES: "La tarjeta está vencida.",
		EN: "The card has expired.",
		PT: "O cartão está vencido.",
	},
	"payretailers.reason.incorrect_cvc": {
		ES: "El código de seguridad es incorrecto.",
		EN: "The security code is incorrect.",
		PT: "O código de segurança está incorreto.",
	},
	"payretailers.reason.processing_error": {
		ES: "Hubo un error al procesar el pago.",
		EN: "There was an error processing the payment.",
		PT: "Houve um erro ao processar o pagamento.",
	},
	"payretailers.reason.rejected": {
		ES: "El banco rechazó la transferencia.",
		EN: "The bank rejected the transfer.",
		PT: "O banco recusou a transferência.",
	},
	"payretailers.reason.too_many_attempts": {
		ES: "Demasiadas claves incorrectas: por seguridad cerramos este pago.",
		EN: "Too many wrong passwords: this payment was closed for your security.",
		PT: "Muitas senhas incorretas: por segurança encerramos este pagamento.",
	},

	// Sandbox documentation on the pages.
	"payretailers.sandbox.cards.title": {
		ES: "Tarjetas de prueba",
		EN: "Test cards",
		PT: "Cartões de teste",
	},
	"payretailers.sandbox.cards.lead": {
		ES: "Usa cualquier vencimiento futuro y cualquier código de seguridad.",
		EN: "Use any future expiry date and any security code.",
		PT: "Use qualquer validade futura e qualquer código de segurança.",
	},
	// Short outcomes of the test card table (a phone shows it in two
	// narrow columns).
	"payretailers.sandbox.card.approved": {
		ES: "Aprobada",
		EN: "Approved",
		PT: "Aprovado",
	},
	"payretailers.sandbox.card.declined": {
		ES: "Rechazada",
		EN: "Declined",
		PT: "Recusado",
	},
	"payretailers.sandbox.card.insufficient_funds": {
		ES: "Sin fondos",
		EN: "No funds",
		PT: "Sem saldo",
	},
	"payretailers.sandbox.card.expired_card": {
		ES: "Vencida",
		EN: "Expired",
		PT: "Vencido",
	},
	"payretailers.sandbox.card.incorrect_cvc": {
		ES: "CVC incorrecto",
		EN: "Wrong CVC",
		PT: "CVC incorreto",
	},
	"payretailers.sandbox.card.processing_error": {
		ES: "Error de proceso",
		EN: "Processing error",
		PT: "Erro de processo",
	},
	"payretailers.sandbox.bank.title": {
		ES: "Claves de prueba",
		EN: "Test passwords",
		PT: "Senhas de teste",
	},
	"payretailers.sandbox.bank.lead": {
		ES: "Cualquier RUT o documento sirve; la clave decide el resultado.",
		EN: "Any tax ID or document works; the password decides the outcome.",
		PT: "Qualquer CPF ou documento serve; a senha decide o resultado.",
	},
	"payretailers.sandbox.bank.approve": {
		ES: "Aprueba la transferencia",
		EN: "Approves the transfer",
		PT: "Aprova a transferência",
	},
	"payretailers.sandbox.bank.reject": {
		ES: "El banco la rechaza",
		EN: "The bank rejects it",
		PT: "O banco a recusa",
	},
	"payretailers.sandbox.bank.nofunds": {
		ES: "Fondos insuficientes",
		EN: "Insufficient funds",
		PT: "Saldo insuficiente",
	},
	"payretailers.sandbox.bank.pending": {
		ES: "Pendiente; el banco confirma después",
		EN: "Pending; the bank confirms later",
		PT: "Pendente; o banco confirma depois",
	},
	"payretailers.sandbox.bank.lockout": {
		ES: "Otra clave cuenta como incorrecta; a la quinta, el pago falla.",
		EN: "Any other password is wrong; the fifth wrong one fails the payment.",
		PT: "Qualquer outra senha é incorreta; na quinta, o pagamento falha.",
	},
	"payretailers.sandbox.voucher": {
		ES: "Modo de prueba: el comercio paga este cupón con la ayuda de prueba, una llamada firmada a",
		EN: "Test mode: the merchant pays this voucher with the test helper, a signed call to",
		PT: "Modo de teste: a loja paga este comprovante com o auxiliar de teste, uma chamada assinada para",
	},
}
